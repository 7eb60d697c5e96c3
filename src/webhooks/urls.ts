/**
 * Owns which URLs a webhook endpoint may have. Live endpoints: https, and no loopback,
 * private, link-local or otherwise internal address named in the URL. Test-mode endpoints
 * may also use http://localhost (or 127.0.0.1 / [::1]) so a developer can listen locally.
 */

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Why this URL cannot be an endpoint in this mode, or null when it can. */
export function webhookUrlProblem(raw: string, mode: "live" | "test"): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "Must be an absolute URL.";
  }
  if (url.username || url.password) return "Must not carry credentials.";
  const host = url.hostname.toLowerCase();
  if (mode === "test" && url.protocol === "http:" && LOOPBACK_HOSTS.has(host)) return null;
  if (url.protocol !== "https:") {
    return mode === "test" ? "Must be https (or http://localhost for a test key)." : "Must be https.";
  }
  if (isInternalHost(host)) {
    return mode === "test"
      ? "Must not name a private or internal address (http://localhost is allowed for a test key)."
      : "Must not name a loopback, private or internal address.";
  }
  return null;
}

function isInternalHost(host: string): boolean {
  if (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host.endsWith(".local") ||
    host.endsWith(".internal")
  ) {
    return true;
  }
  if (!host.includes(".") && !host.startsWith("[")) return true; // a bare name resolves only inside a network
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 198 && (b === 18 || b === 19)) ||
      a >= 224
    );
  }
  if (host.startsWith("[")) {
    const v6 = host.slice(1, -1);
    if (v6 === "::" || v6 === "::1") return true;
    if (/^(fc|fd)/.test(v6) || /^fe[89ab]/.test(v6)) return true;
    const mapped = /^::ffff:(.+)$/.exec(v6);
    if (mapped?.[1]) return mapped[1].includes(".") ? isInternalHost(mapped[1]) : true;
  }
  return false;
}
