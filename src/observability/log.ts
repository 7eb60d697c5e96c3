/** Owns structured log lines: one JSON object per line, with secret-looking keys dropped. */

const SECRET_KEY = /secret|token|password|authorization|api[-_]?key$|^key$|signature/i;

export function logLine(fields: Record<string, unknown>): void {
  const safe: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (!SECRET_KEY.test(key)) safe[key] = value;
  }
  console.log(JSON.stringify(safe));
}
