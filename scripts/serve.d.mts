export function freePort(): Promise<number>;
export function startApi(options?: { seed?: boolean; vars?: Record<string, string> }): Promise<{
  base: string;
  stop(): Promise<void>;
}>;
