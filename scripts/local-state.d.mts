type ScriptEnv = Record<string, string | undefined>;
export function persistArgs(env?: ScriptEnv): string[];
export function devArgs(options: { port: number | string; extra?: string[]; env?: ScriptEnv }): string[];
export function localD1Args(args: string[], env?: ScriptEnv): string[];
