import { Command } from "commander";
import packageJson from "../../package.json" with { type: "json" };
import { bundleCommand } from "./commands/bundle.ts";
import { keygenCommand } from "./commands/keygen.ts";
import { keystoneCommand } from "./commands/keystone.ts";
import { serveCommand } from "./commands/serve.ts";
import { signCommand } from "./commands/sign.ts";
import { syncCommand } from "./commands/sync.ts";
import { verifyCommand } from "./commands/verify.ts";

/** The whole `streamgate` command tree (DESIGN.md §6 is the stable surface). */
export function buildProgram(): Command {
  const program = new Command("streamgate")
    .description(
      "Serve, mirror and sign Juju simplestreams metadata (agent binaries and image ids) for private and air-gapped clouds.",
    )
    .version(packageJson.version)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  for (const command of [
    serveCommand(),
    syncCommand(),
    verifyCommand(),
    keygenCommand(),
    signCommand(),
    bundleCommand(),
    keystoneCommand(),
  ]) {
    program.addCommand(command);
  }
  // Subcommands inherit neither exitOverride nor output settings from the program.
  const applyToTree = (command: Command) => {
    command.exitOverride().showHelpAfterError("(run with --help for usage)");
    for (const sub of command.commands) applyToTree(sub);
  };
  applyToTree(program);
  return program;
}
