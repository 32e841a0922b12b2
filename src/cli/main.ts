import { CommanderError } from "commander";
import { ConfigError } from "../config/config-error.ts";
import { InvalidKeyError } from "../store/errors.ts";
import { buildProgram } from "./program.ts";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./usage-error.ts";

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  const badInput = [UsageError, ConfigError, InvalidKeyError];
  if (badInput.some((kind) => error instanceof kind)) return EXIT_USAGE;
  return EXIT_FAILURE;
}

/** Runs the `streamgate` CLI and returns its exit code; never calls `process.exit` itself. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return EXIT_OK;
  } catch (error) {
    // Commander has already printed its own usage errors and help.
    if (!(error instanceof CommanderError)) {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`streamgate: ${message.replace(/^\[streamgate\] /, "")}\n`);
    }
    return exitCodeFor(error);
  }
}
