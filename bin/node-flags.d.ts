/** See node-flags.js. */
export function nodeFlags(execArgv?: readonly string[], nodeOptions?: string): string[];
