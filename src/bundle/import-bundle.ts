import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Key } from "openpgp";
import { extract as createExtract, type Extract } from "tar-stream";
import { IMAGES_LOCK_KEY } from "../images/images-lock.ts";
import type { JobName } from "../scheduler/job-state.ts";
import { SignatureError } from "../signing/errors.ts";
import { parsePublicKeys, type VerificationKeys } from "../signing/parse-keys.ts";
import { verifyClearsigned } from "../signing/verify-clearsigned.ts";
import { InvalidKeyError } from "../store/errors.ts";
import { assertValidKey } from "../store/keys.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { AGENTS_LOCK_KEY } from "../sync/layout.ts";
import type { Sleep } from "../sync/sleep.ts";
import { withLeaseLock } from "../sync/with-lease-lock.ts";
import { applyBundleJobs } from "./bundle-jobs.ts";
import { BundleError, BundleInputError, messageOf } from "./errors.ts";
import type { BundleProgress } from "./export-bundle.ts";
import { createImportSession, sweepStaging } from "./import-session.ts";
import {
  type BundleManifest,
  type BundleObject,
  MANIFEST_ENTRY,
  parseManifest,
} from "./manifest.ts";

/** A manifest larger than this is not one streamgate wrote (100 000 objects take ~20 MB). */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

const READ_CHUNK_BYTES = 256 * 1024;

export interface ImportBundleOptions {
  store: ObjectStore;
  file: string;
  /** Armored public key(s) the manifest must be signed with. */
  keys: VerificationKeys;
  /** Clock for the job runs the import records (tests). */
  now?: () => Date;
  onProgress?: (progress: BundleProgress) => void;
  /**
   * The agents and images locks the import holds, as a sync of either would: shown to
   * a writer that finds them held (`owner`), their lease, and whether to wait for a
   * holder instead of failing with `LockHeldError`.
   */
  lock?: { owner?: string; leaseMs?: number; wait?: boolean; sleep?: Sleep };
}

export interface ImportBundleResult {
  manifest: BundleManifest;
  /** Who signed the manifest. */
  signer: { fingerprint: string; keyId: string; signedAt: Date };
  /** Objects written, left alone because the store already held the same bytes, and bytes read. */
  written: number;
  unchanged: number;
  bytes: number;
  /** Jobs whose generations were carried into `.streamgate/state/`. */
  jobs: JobName[];
  /** About the locks: one taken over from a writer whose lease expired, a best-effort lock. */
  warnings: string[];
}

type Entry = (Extract extends AsyncIterable<infer Source> ? Source : never) &
  AsyncIterable<Uint8Array>;

async function readManifestEntry(entry: Entry): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of entry) {
    size += chunk.byteLength;
    if (size > MAX_MANIFEST_BYTES) {
      throw new BundleError(`${MANIFEST_ENTRY} is larger than ${MAX_MANIFEST_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function verifyManifest(
  text: string,
  keys: Key[],
): Promise<{ manifest: BundleManifest; signer: ImportBundleResult["signer"] }> {
  let verified: Awaited<ReturnType<typeof verifyClearsigned>>;
  try {
    verified = await verifyClearsigned(text, keys);
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    throw new BundleError(
      `refusing the bundle: its manifest is not validly signed by a trusted key (${messageOf(error)})`,
      { key: MANIFEST_ENTRY, cause: error },
    );
  }
  return {
    manifest: parseManifest(verified.text),
    signer: {
      fingerprint: verified.fingerprint,
      keyId: verified.keyId,
      signedAt: verified.signedAt,
    },
  };
}

interface Listed {
  object: BundleObject;
  /** Place in the manifest. */
  index: number;
}

/**
 * The manifest object a tar entry carries. Refuses what a trusted exporter never writes:
 * a name that is not a safe object key (`..`, absolute, `.streamgate/`), anything but a
 * plain file, a name the signed manifest does not list or one already seen, a size other
 * than the manifest's.
 *
 * @throws {BundleError} naming the entry.
 */
function matchEntry(
  header: Entry["header"],
  expected: ReadonlyMap<string, Listed>,
  seen: ReadonlySet<string>,
): Listed {
  const { name } = header;
  try {
    assertValidKey(name, { allowInternal: false });
  } catch (error) {
    if (!(error instanceof InvalidKeyError)) throw error;
    throw new BundleError(
      `refusing the bundle: entry ${JSON.stringify(name)} is not a safe object key (${messageOf(error)})`,
      { key: name },
    );
  }
  if (header.type !== "file") {
    throw new BundleError(`refusing the bundle: entry "${name}" is a ${header.type}, not a file`, {
      key: name,
    });
  }
  const listed = expected.get(name);
  if (listed === undefined) {
    throw new BundleError(
      seen.has(name)
        ? `refusing the bundle: entry "${name}" appears twice`
        : `refusing the bundle: entry "${name}" is not in its signed manifest`,
      { key: name },
    );
  }
  if (header.size !== listed.object.size) {
    throw new BundleError(
      `"${name}" in the bundle has ${header.size} bytes, its manifest says ${listed.object.size}`,
      { key: name },
    );
  }
  return listed;
}

/**
 * An incremental bundle leaves out payload the other side already carried: check that
 * this store holds each such object with the size (and sha256, where both sides know it)
 * the manifest names, before anything is written.
 */
async function checkBaseline(store: ObjectStore, manifest: BundleManifest): Promise<void> {
  for (const object of manifest.objects) {
    if (object.included) continue;
    const existing = await store.head(object.key);
    const differs =
      existing === null ||
      existing.size !== object.size ||
      (object.sha256 !== undefined &&
        existing.sha256 !== undefined &&
        existing.sha256 !== object.sha256);
    if (differs) {
      const since = manifest.since;
      throw new BundleError(
        `this bundle is incremental${
          since === undefined ? "" : ` (since ${since.job} generation ${since.generation})`
        } and leaves out "${object.key}", which this store ${
          existing === null ? "does not hold" : "holds with different bytes"
        }; import the earlier bundle first, or export again without --since`,
        { key: object.key },
      );
    }
  }
}

/**
 * `streamgate bundle import FILE`: verifies the manifest's signature before reading
 * anything else, then streams every entry into the store, checking its size and sha256
 * against the manifest while it is written (see `createImportSession`: free payload keys
 * are written in place, metadata and index files staged). Only once the whole bundle
 * checked out is the staged part published: payload, then product files, index files last.
 *
 * A bundle that fails any check (unsigned, bad or unknown signature, an entry not in the
 * manifest or listed twice, an unsafe name, wrong bytes, truncation, an object missing)
 * publishes nothing: what this import wrote is deleted again and the error names the
 * object. Finally each job's generations are merged into `.streamgate/state/<job>.json`.
 * All of it holds the agents and the images lock, so no sync writes either tree meanwhile.
 *
 * @throws {BundleInputError} when the file cannot be read.
 * @throws {UnusableKeyError} when `keys` cannot be read.
 * @throws {LockHeldError} when a sync holds a lock and `lock.wait` is off.
 * @throws {BundleError} when the bundle is refused.
 */
export async function importBundle(options: ImportBundleOptions): Promise<ImportBundleResult> {
  const { store, file } = options;
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const trusted = await parsePublicKeys(options.keys);
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error("not a regular file");
  } catch (error) {
    throw new BundleInputError(`cannot read the bundle ${file}: ${messageOf(error)}`, {
      cause: error,
    });
  }

  const lock = options.lock ?? {};
  const owner = lock.owner ?? `streamgate bundle import ${crypto.randomUUID()}`;
  const lockOptions = {
    owner,
    ...(lock.leaseMs === undefined ? {} : { leaseMs: lock.leaseMs }),
    ...(lock.wait === undefined ? {} : { wait: lock.wait }),
    ...(lock.sleep === undefined ? {} : { sleep: lock.sleep }),
  };
  // Both trees change, so both locks, always in this order: a sync takes one of them.
  return withLeaseLock(
    store,
    { ...lockOptions, key: AGENTS_LOCK_KEY, name: "agents" },
    (agentsLost, agentsWarnings) =>
      withLeaseLock(
        store,
        { ...lockOptions, key: IMAGES_LOCK_KEY, name: "images", signal: agentsLost },
        async (lost, imagesWarnings) => {
          const result = await importLocked(options, trusted, startedAt, lost);
          return { ...result, warnings: [...agentsWarnings, ...imagesWarnings] };
        },
      ),
  );
}

/** The import proper, under both locks; stops before its next write once `lost` aborts. */
async function importLocked(
  options: ImportBundleOptions,
  trusted: Key[],
  startedAt: Date,
  lost: AbortSignal,
): Promise<Omit<ImportBundleResult, "warnings">> {
  const { store, file } = options;
  const now = options.now ?? (() => new Date());
  await sweepStaging(store);
  const session = createImportSession(store);
  let bytes = 0;

  const source = createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
  const extract = createExtract();
  source.on("error", (error) => extract.destroy(error));
  source.pipe(extract as unknown as NodeJS.WritableStream);
  const entries = extract[Symbol.asyncIterator]() as AsyncIterator<Entry>;
  let lastEntry = "(start of the bundle)";

  const nextEntry = async (): Promise<Entry | undefined> => {
    try {
      const next = await entries.next();
      return next.done ? undefined : next.value;
    } catch (error) {
      throw new BundleError(
        `the bundle is damaged or truncated after ${lastEntry}: ${messageOf(error)}`,
        { cause: error },
      );
    }
  };

  try {
    const first = await nextEntry();
    if (
      first === undefined ||
      first.header.name !== MANIFEST_ENTRY ||
      first.header.type !== "file"
    ) {
      throw new BundleError(
        `${file} is not a streamgate bundle: its first entry must be ${MANIFEST_ENTRY}`,
        { key: MANIFEST_ENTRY },
      );
    }
    const { manifest, signer } = await verifyManifest(await readManifestEntry(first), trusted);
    lastEntry = `"${MANIFEST_ENTRY}"`;
    await checkBaseline(store, manifest);

    const expected = new Map<string, Listed>();
    for (const [index, object] of manifest.objects.entries()) {
      if (object.included) expected.set(object.key, { object, index });
    }
    const bytesTotal = [...expected.values()].reduce((sum, { object }) => sum + object.size, 0);
    const seen = new Set<string>();

    for (let entry = await nextEntry(); entry !== undefined; entry = await nextEntry()) {
      const name = entry.header.name;
      const listed = matchEntry(entry.header, expected, seen);
      expected.delete(name);
      seen.add(name);
      lost.throwIfAborted();
      await session.receive(listed.object, entry, listed.index);
      bytes += listed.object.size;
      lastEntry = `"${name}"`;
      options.onProgress?.({
        key: name,
        objectsDone: seen.size,
        objectsTotal: seen.size + expected.size,
        bytesDone: bytes,
        bytesTotal,
      });
    }
    const [missing] = expected.keys();
    if (missing !== undefined) {
      throw new BundleError(
        `the bundle lacks ${expected.size} object(s) its manifest lists, first "${missing}": it is truncated or incomplete`,
        { key: missing },
      );
    }

    lost.throwIfAborted();
    await session.publish();
    const { written, unchanged } = session;
    const jobs = await applyBundleJobs(store, manifest.jobs, {
      startedAt,
      finishedAt: now(),
      counts: { bundled: seen.size, written, unchanged },
      bytes,
    });
    return { manifest, signer, written, unchanged, bytes, jobs };
  } catch (error) {
    await session.rollback().catch((cleanup: unknown) => {
      throw new BundleError(
        `${messageOf(error)} — and removing what the import wrote failed too: ${messageOf(cleanup)}`,
        { cause: error },
      );
    });
    throw error;
  } finally {
    source.destroy();
    extract.destroy();
    // A leftover staged copy is internal and harmless; it must not hide the real outcome.
    await session.discardStaging().catch(() => undefined);
  }
}
