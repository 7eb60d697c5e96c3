export const ASSETS_DIR: string;
export const SCALAR_BUNDLE: string;
export function copyDocsAssets(): string;
