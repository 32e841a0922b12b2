import { Command } from "commander";

export function keygenCommand(): Command {
  return new Command("keygen")
    .description("generate the operator's RSA-4096 key for signing image metadata")
    .requiredOption(
      "--out <dir>",
      "directory for signing-key.asc (private) and signing-key.pub.asc",
    )
    .option("--force", "replace an existing key pair")
    .action(async (flags: { out: string; force?: boolean }) => {
      const { writeSigningKeyPair } = await import("../write-signing-key-pair.ts");
      const written = await writeSigningKeyPair(flags.out, { force: flags.force === true });
      process.stderr.write(
        `wrote ${written.privateKeyPath} (private, mode 0600 — keep it out of the served store)\n` +
          `wrote ${written.publicKeyPath}\n`,
      );
      process.stdout.write(`${written.fingerprint}\n`);
    });
}
