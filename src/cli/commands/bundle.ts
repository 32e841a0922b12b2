import { Command } from "commander";
import { NotImplementedError } from "../usage-error.ts";

export function bundleCommand(): Command {
  return new Command("bundle")
    .description("carry a mirror into an air-gapped cloud")
    .addCommand(
      new Command("export")
        .description("write a signed bundle of the store (or a --metadata-source directory)")
        .argument("[file]", "bundle file to write")
        .option("--store <url>", "store URL to export")
        .option("--since <generation>", "only what changed after this generation")
        .option("--key <file>", "operator's private key to sign the manifest")
        .option("--metadata-source <dir>", "write a directory for juju bootstrap --metadata-source")
        .action(() => {
          throw new NotImplementedError("bundle export");
        }),
    )
    .addCommand(
      new Command("import")
        .description("verify a bundle and publish it into the store")
        .argument("<file>", "bundle file to import")
        .option("--store <url>", "store URL to import into")
        .option("--key <file>", "operator's public key the manifest is signed with")
        .action(() => {
          throw new NotImplementedError("bundle import");
        }),
    );
}
