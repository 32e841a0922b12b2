/**
 * Preloaded into every child process of the reliability suite (`node --import`): reports
 * the process's peak resident set size on fd 3 when it exits, so memory bounds hold for
 * the real CLI rather than for the test process. Plain JavaScript: a TypeScript preload
 * would load Node's type stripper (~15 MiB) into a CLI that otherwise runs compiled code.
 */
import { writeSync } from "node:fs";

process.on("exit", () => {
  try {
    writeSync(3, `rss ${process.resourceUsage().maxRSS * 1024}\n`);
  } catch {
    // No fd 3: started by something other than the suite.
  }
});
