/** Captures what the Worker prints with console.log during a test (same isolate as the Worker). */
import { type MockInstance, vi } from "vitest";

export interface LogCapture {
  /** Every console.log line printed since the capture started. */
  raw(): string[];
  /** The parsed JSON lines whose `msg` is this. */
  lines(msg: string): Record<string, unknown>[];
  /** The request line of this request id (fails unless there is exactly one). */
  requestLine(requestId: string | null): Record<string, unknown>;
  restore(): void;
}

export function captureLogs(): LogCapture {
  const spy: MockInstance<typeof console.log> = vi.spyOn(console, "log").mockImplementation(() => {});
  const raw = () => spy.mock.calls.map((args) => args.map(String).join(" "));
  const parsed = () =>
    raw().flatMap((line) => {
      try {
        const value: unknown = JSON.parse(line);
        return value && typeof value === "object" ? [value as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });
  return {
    raw,
    lines: (msg) => parsed().filter((line) => line.msg === msg),
    requestLine(requestId) {
      const matching = parsed().filter((line) => line.msg === "request" && line.requestId === requestId);
      if (matching.length !== 1) {
        throw new Error(
          `expected one request line for ${requestId}, got ${matching.length}: ${raw().join("\n")}`,
        );
      }
      return matching[0] as Record<string, unknown>;
    },
    restore: () => spy.mockRestore(),
  };
}
