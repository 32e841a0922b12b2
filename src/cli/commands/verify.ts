import { Command } from "commander";
import { NotImplementedError } from "../usage-error.ts";

export function verifyCommand(): Command {
  return new Command("verify")
    .description("replay Juju's metadata lookup against a served tree or a directory")
    .argument("<root>", "mirror root URL or directory")
    .option("--agents-url <url>", "agent metadata base (default ROOT/juju/tools)")
    .option("--images-url <url>", "image metadata base (default ROOT/images)")
    .option("--agent-key <file>", "key for agent metadata (default: Juju's built-in key)")
    .option("--image-key <file>", "operator's public key for image metadata")
    .option("--juju-version <x.y.z>", "Juju client version to pick agents for")
    .option("--arch <arch>", "agent architecture")
    .option("--region <region>", "cloud region to pick an image for")
    .option("--endpoint <url>", "cloud endpoint to pick an image for")
    .option("--base <base>", "image base, e.g. ubuntu@24.04")
    .option("--no-tarballs", "skip downloading and checking tarballs")
    .option("--json", "print the report as one JSON document on stdout")
    .action(() => {
      throw new NotImplementedError("verify");
    });
}
