import { readFile } from "node:fs/promises";
import type { PrivateKey } from "openpgp";
import { BundleInputError } from "../bundle/errors.ts";
import { exportBundle } from "../bundle/export-bundle.ts";
import { exportMetadataSource } from "../bundle/metadata-source.ts";
import { parseSince, type SinceGeneration } from "../bundle/since.ts";
import { UnusableKeyError } from "../signing/errors.ts";
import { parseSigningKey } from "../signing/parse-keys.ts";
import { formatGenerations } from "./bundle-format.ts";
import { createBundleProgressBar } from "./bundle-progress.ts";
import { openBundleStore } from "./bundle-store.ts";
import { formatBytes } from "./format-bytes.ts";
import { UsageError } from "./usage-error.ts";

export interface BundleExportFlags {
  store?: string;
  since?: string;
  key?: string;
  metadataSource?: string;
}

async function readSigningKey(path: string): Promise<PrivateKey> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the signing key ${path}: ${(error as Error).message}`);
  }
  try {
    return await parseSigningKey(text);
  } catch (error) {
    if (error instanceof UnusableKeyError) throw new UsageError(error.message);
    throw error;
  }
}

function readSince(text: string | undefined): SinceGeneration | undefined {
  if (text === undefined) return undefined;
  try {
    return parseSince(text);
  } catch (error) {
    if (error instanceof BundleInputError) throw new UsageError(error.message);
    throw error;
  }
}

async function runMetadataSourceExport(
  file: string | undefined,
  flags: BundleExportFlags & { metadataSource: string },
): Promise<void> {
  const extra = [
    file === undefined ? undefined : "FILE",
    flags.key === undefined ? undefined : "--key",
    flags.since === undefined ? undefined : "--since",
  ].filter((name) => name !== undefined);
  if (extra.length > 0) {
    throw new UsageError(
      `\`bundle export --metadata-source DIR\` writes a plain directory and takes no ${extra.join(", ")}: agent metadata keeps the signature it has, image-ids keep the operator's`,
    );
  }
  const { store } = await openBundleStore(flags.store);
  const bar = createBundleProgressBar("metadata-source");
  const result = await exportMetadataSource({
    store,
    dir: flags.metadataSource,
    onProgress: bar.update,
  }).finally(bar.stop);
  process.stderr.write(
    `wrote ${result.files} files (${formatBytes(result.bytes)}) to ${result.dir}: ${
      result.agents ? "agents in tools/" : "no agents"
    }, ${result.images ? `image-ids in images/${result.imagesSigned ? " (signed)" : ""}` : "no image-ids"}\n`,
  );
  if (result.imagesSigned && result.publicKeyFile === undefined) {
    process.stderr.write(
      "warning: the image-ids are signed but the store holds no keys/images.asc; give Juju the public key yourself\n",
    );
  }
  // Juju reads DIR/tools and DIR/images itself; the key only matters for signed image-ids.
  const keyVariable =
    result.imagesSigned && result.publicKeyFile !== undefined
      ? `JUJU_STREAMS_PUBLICKEY_FILE=${result.publicKeyFile} `
      : "";
  process.stderr.write("bootstrap with (CLOUD is your cloud's name in Juju):\n");
  process.stdout.write(`${keyVariable}juju bootstrap CLOUD --metadata-source ${result.dir}\n`);
}

/** `streamgate bundle export FILE --key KEY [--since N]` or `bundle export --metadata-source DIR`. */
export async function runBundleExport(
  file: string | undefined,
  flags: BundleExportFlags,
): Promise<void> {
  if (flags.metadataSource !== undefined) {
    return runMetadataSourceExport(file, { ...flags, metadataSource: flags.metadataSource });
  }
  if (file === undefined) {
    throw new UsageError(
      "`bundle export` needs FILE, the bundle to write (or --metadata-source DIR for juju bootstrap)",
    );
  }
  if (flags.key === undefined) {
    throw new UsageError(
      "`bundle export FILE` needs --key FILE, the operator's private key: the offline side imports only a bundle whose signed manifest it can verify, so there are no unsigned bundles",
    );
  }
  const since = readSince(flags.since);
  const signingKey = await readSigningKey(flags.key);
  const { store } = await openBundleStore(flags.store);
  const bar = createBundleProgressBar("export");
  let result: Awaited<ReturnType<typeof exportBundle>>;
  try {
    result = await exportBundle({
      store,
      file,
      signingKey,
      ...(since === undefined ? {} : { since }),
      onProgress: bar.update,
    });
  } catch (error) {
    if (error instanceof BundleInputError) throw new UsageError(error.message);
    throw error;
  } finally {
    bar.stop();
  }
  const { manifest } = result;
  const leftOut =
    manifest.since === undefined
      ? ""
      : `, ${result.excluded} left out (unchanged since ${manifest.since.job} generation ${manifest.since.generation})`;
  process.stderr.write(
    `wrote ${result.file} (${formatBytes(result.bytes)}): ${result.included} objects${leftOut}\n` +
      `manifest signed by ${signingKey.getFingerprint().toUpperCase()}; generations: ${formatGenerations(manifest.jobs)}\n`,
  );
}
