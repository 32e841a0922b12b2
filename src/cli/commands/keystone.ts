import { Command } from "commander";
import { listOption } from "../options.ts";
import { NotImplementedError } from "../usage-error.ts";

export function keystoneCommand(): Command {
  return new Command("keystone")
    .description("register streamgate in the OpenStack service catalog")
    .addCommand(
      new Command("endpoints")
        .description("print (or --apply) the product-streams and juju-tools endpoints")
        .requiredOption("--public-url <url>", "public URL of this mirror")
        .option("--region <regions>", "regions (default: every region)", listOption)
        .option("--check", "check that every registered endpoint answers with an index")
        .option("--apply", "create the services and endpoints through the Keystone API")
        .action(() => {
          throw new NotImplementedError("keystone endpoints");
        }),
    );
}
