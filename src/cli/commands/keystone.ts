import { Command } from "commander";
import type { KeystoneEndpointsFlags } from "../keystone.ts";
import { listOption } from "../options.ts";

export function keystoneCommand(): Command {
  return new Command("keystone")
    .description("register streamgate in the OpenStack service catalog")
    .addCommand(
      new Command("endpoints")
        .description("print (or --apply) the product-streams and juju-tools endpoints")
        .requiredOption("--public-url <url>", "public URL of this mirror")
        .option("--region <regions>", "regions (default: every region)", listOption)
        .option("--internal-url <url>", "also register internal endpoints at this URL")
        .option(
          "--os-cloud <name>",
          "cloud name in clouds.yaml (default OS_CLOUD, else OS_* variables)",
        )
        .option("--check", "check that every registered endpoint answers with an index")
        .option("--apply", "create the services and endpoints through the Keystone API")
        .option("--json", "print the plan (and results) as one JSON document on stdout")
        .action(async (flags: KeystoneEndpointsFlags) => {
          // Loaded on demand so the other commands start without Keystone's dependencies.
          const { runKeystoneEndpoints } = await import("../keystone.ts");
          await runKeystoneEndpoints(flags);
        }),
    );
}
