import { readFile } from "node:fs/promises";
import type { Key } from "openpgp";
import { BundleInputError } from "../bundle/errors.ts";
import { importBundle } from "../bundle/import-bundle.ts";
import { UnusableKeyError } from "../signing/errors.ts";
import { parsePublicKeys } from "../signing/parse-keys.ts";
import { formatGenerations } from "./bundle-format.ts";
import { createBundleProgressBar } from "./bundle-progress.ts";
import { openBundleStore } from "./bundle-store.ts";
import { formatBytes } from "./format-bytes.ts";
import { UsageError } from "./usage-error.ts";

export interface BundleImportFlags {
  store?: string;
  key?: string;
  wait?: boolean;
}

async function readPublicKeys(path: string): Promise<Key[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the public key ${path}: ${(error as Error).message}`);
  }
  try {
    return await parsePublicKeys(text);
  } catch (error) {
    if (error instanceof UnusableKeyError) throw new UsageError(error.message);
    throw error;
  }
}

/** `streamgate bundle import FILE --key PUBLIC_KEY [--store URL]`. */
export async function runBundleImport(file: string, flags: BundleImportFlags): Promise<void> {
  if (flags.key === undefined) {
    throw new UsageError(
      "`bundle import` needs --key FILE, the public key the bundle's manifest is signed with: unverified bundles are never imported",
    );
  }
  const keys = await readPublicKeys(flags.key);
  const { store, url } = await openBundleStore(flags.store);
  const bar = createBundleProgressBar("import");
  let result: Awaited<ReturnType<typeof importBundle>>;
  try {
    result = await importBundle({
      store,
      file,
      keys,
      onProgress: bar.update,
      lock: { wait: flags.wait === true },
    });
  } catch (error) {
    if (error instanceof BundleInputError) throw new UsageError(error.message);
    throw error;
  } finally {
    bar.stop();
  }
  const { manifest, signer } = result;
  process.stderr.write(
    `imported ${file} into ${url}: ${result.written} objects written, ${result.unchanged} already present (${formatBytes(result.bytes)} verified)\n` +
      `manifest signed by ${signer.fingerprint} at ${signer.signedAt.toISOString()}; generations: ${formatGenerations(manifest.jobs)}\n` +
      result.warnings.map((warning) => `warning: ${warning}\n`).join(""),
  );
}
