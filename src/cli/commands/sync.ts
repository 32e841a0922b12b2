import { Command, Option } from "commander";
import { integerOption, listOption } from "../options.ts";
import type { SyncAgentsFlags } from "../sync-agents.ts";

function syncAgentsCommand(): Command {
  return new Command("agents")
    .description("mirror Juju agent tarballs and their metadata from an upstream into the store")
    .option("--config <file>", "configuration file (default ./streamgate.yaml)")
    .option("--store <url>", "store URL: file:PATH or s3://BUCKET/PREFIX?…")
    .option("--upstream <url>", "upstream tree (https://… or file://…)")
    .option("--upstream-key <file>", "armored public key the upstream signs with")
    .option("--stream <streams>", "released, proposed, devel, testing (comma list)", listOption)
    .option("--min-version <x.y|latest>", "oldest major.minor to mirror")
    .option("--max-version <x.y>", "newest major.minor to mirror")
    .option("--arch <arches>", "amd64, arm64, ppc64el, s390x, riscv64 (comma list)", listOption)
    .option("--os <names>", "agent OS types, e.g. ubuntu (comma list)", listOption)
    .option("--legacy-tools", "also mirror Juju ≤ 2.8 `tools` content")
    .option("--keep <n>", "newest patches kept per major.minor", integerOption("--keep", 1))
    .option("--pin <versions...>", "versions always kept")
    .addOption(new Option("--mode <mode>", "metadata mode").choices(["filtered", "exact"]))
    .option("--allow-unsigned-upstream", "accept an unsigned upstream (filtered mode only)")
    .option(
      "--concurrency <n>",
      "parallel downloads (default 8)",
      integerOption("--concurrency", 1),
    )
    .option("--lock-lease <seconds>", "store lock lease", integerOption("--lock-lease", 1))
    .option("--wait", "wait for another sync's lock instead of failing")
    .option("--verify-existing", "re-hash tarballs already in the store")
    .option("--dry-run", "print the plan and change nothing")
    .option("--json", "print the report as one JSON document on stdout")
    .action(async (flags: SyncAgentsFlags) => {
      // Loaded on demand so the other commands start without the sync's dependencies.
      const { syncAgents } = await import("../sync-agents.ts");
      await syncAgents(flags);
    });
}

function syncImagesCommand(): Command {
  return new Command("images")
    .description("publish signed image-ids metadata for every region of the private cloud")
    .option("--config <file>", "configuration file (default ./streamgate.yaml)")
    .option("--store <url>", "store URL: file:PATH or s3://BUCKET/PREFIX?…")
    .option("--from <source>", "openstack, or a static list FILE.yaml|FILE.json")
    .option("--os-cloud <name>", "cloud name in clouds.yaml")
    .option("--endpoint <url>", "Keystone URL exactly as in Juju's cloud definition")
    .option("--cloud <name>", "cloudname written in the index")
    .option("--signing-key <file>", "operator's armored private key")
    .option("--dry-run", "print the plan and change nothing")
    .option("--json", "print the report as one JSON document on stdout")
    .action(async (flags: import("../sync-images.ts").SyncImagesFlags) => {
      await (await import("../sync-images.ts")).syncImages(flags);
    });
}

export function syncCommand(): Command {
  return new Command("sync")
    .description("sync agents from upstream, or image ids from the cloud")
    .addCommand(syncAgentsCommand())
    .addCommand(syncImagesCommand());
}
