/** Structured logs: one JSON object per line; keys named like secrets are dropped. */
const SECRET_KEY = /secret|token|password|authorization|private|api[-_]?key$/i;

export function logLine(fields: Record<string, unknown>): void {
  const safe = Object.fromEntries(Object.entries(fields).filter(([key]) => !SECRET_KEY.test(key)));
  console.log(JSON.stringify(safe));
}
