import { Command } from "commander";

export function bundleCommand(): Command {
  return new Command("bundle")
    .description("carry a mirror into an air-gapped cloud")
    .addCommand(
      new Command("export")
        .description("write a signed bundle of the store (or a --metadata-source directory)")
        .argument("[file]", "bundle file to write")
        .option("--store <url>", "store URL to export")
        .option(
          "--since <generation>",
          "only payload changed after this generation (N of agents, or JOB:N); metadata always",
        )
        .option("--key <file>", "operator's private key to sign the manifest (required for FILE)")
        .option("--metadata-source <dir>", "write a directory for juju bootstrap --metadata-source")
        .action(async (file: string | undefined, flags: Record<string, string | undefined>) => {
          const { runBundleExport } = await import("../bundle-export.ts");
          await runBundleExport(file, flags);
        }),
    )
    .addCommand(
      new Command("import")
        .description("verify a bundle and publish it into the store")
        .argument("<file>", "bundle file to import")
        .option("--store <url>", "store URL to import into")
        .option("--key <file>", "operator's public key the manifest is signed with (required)")
        .option("--wait", "wait for a running sync's lock instead of failing")
        .action(async (file: string, flags: { store?: string; key?: string; wait?: boolean }) => {
          const { runBundleImport } = await import("../bundle-import.ts");
          await runBundleImport(file, flags);
        }),
    );
}
