export const CLIENT_TYPES: string;
export function generateClientTypes(document: unknown): Promise<string>;
export function servedDocument(base: string): Promise<unknown>;
