/** One compact line per case with what it measured, for the lead to quote. */
export function reportFigures(name: string, figures: string): void {
  console.log(`[reliability] ${name}: ${figures}`);
}
