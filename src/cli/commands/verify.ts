import { Command } from "commander";
import type { VerifyFlags } from "../verify.ts";

export function verifyCommand(): Command {
  return new Command("verify")
    .description("replay Juju's metadata lookup against a served tree or a directory")
    .argument("<root>", "mirror root URL or directory")
    .option("--agents-url <url>", "agent metadata base (default ROOT/juju/tools)")
    .option("--images-url <url>", "image metadata base (default ROOT/images)")
    .option("--agent-key <file>", "key for agent metadata (default: Juju's built-in key)")
    .option("--image-key <file>", "operator's public key for image metadata")
    .option("--juju-version <x.y.z>", "Juju client version to pick agents for")
    .option("--arch <arch>", "agent and image architecture")
    .option("--agent-stream <stream>", "agent-stream to replay (default: every advertised stream)")
    .option("--region <region>", "cloud region to pick an image for")
    .option("--endpoint <url>", "cloud endpoint to pick an image for")
    .option("--base <base>", "image base, e.g. ubuntu@24.04")
    .option("--no-tarballs", "skip downloading and checking tarballs")
    .option("--json", "print the report as one JSON document on stdout")
    .action(async (root: string, flags: VerifyFlags) => {
      // Loaded on demand so the other commands start without verify's dependencies.
      const { runVerify } = await import("../verify.ts");
      await runVerify(root, flags);
    });
}
