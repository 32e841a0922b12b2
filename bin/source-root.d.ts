/** See source-root.js. */
export const DIST_DIR: string;
export const BUILD_STAMP: string;
export function sourceModule(name: string, root?: string): URL;
