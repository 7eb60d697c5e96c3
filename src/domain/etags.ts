/** Entity-tag comparisons (RFC 9110 §13.1): If-Match compares strongly, If-None-Match weakly. */

const tags = (header: string) => header.split(",").map((t) => t.trim());

/** If-Match holds when a listed tag equals the current one strongly, or the header is `*`. */
export function ifMatchHolds(header: string, etag: string): boolean {
  return tags(header).some((t) => t === "*" || (!t.startsWith("W/") && t === etag));
}

/** If-None-Match hits (answer 304) when a listed tag equals the current one, weak or not. */
export function ifNoneMatchHits(header: string, etag: string): boolean {
  const strip = (t: string) => t.replace(/^W\//, "");
  return tags(header).some((t) => t === "*" || strip(t) === strip(etag));
}
