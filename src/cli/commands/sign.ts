import { Command } from "commander";

export function signCommand(): Command {
  return new Command("sign")
    .description("clearsign every streams/v1/*.json under DIR into its .sjson twin")
    .argument("<dir>", "metadata directory, e.g. ./images")
    .requiredOption("--key <file>", "operator's armored private key (from streamgate keygen)")
    .action(async (dir: string, flags: { key: string }) => {
      const { signDirectory } = await import("../sign-directory.ts");
      const results = await signDirectory(dir, flags.key);
      for (const result of results) {
        const rewritten =
          result.rewrites.length > 0 ? ` (${result.rewrites.length} path(s) → .sjson)` : "";
        process.stderr.write(`${result.status} ${result.target}${rewritten}\n`);
      }
      const written = results.filter((result) => result.status === "written").length;
      process.stderr.write(`${written} signed, ${results.length - written} already up to date\n`);
    });
}
