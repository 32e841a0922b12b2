import { clearsign } from "../signing/clearsign.ts";
import { parseSigningKey, type SigningKeyInput } from "../signing/parse-keys.ts";
import type { ObjectInfo, ObjectStore } from "../store/object-store.ts";
import { readBundleJobs } from "./bundle-jobs.ts";
import { checkedBytes, digestOf } from "./checked-bytes.ts";
import { BundleError, messageOf } from "./errors.ts";
import {
  BUNDLE_FORMAT,
  type BundleManifest,
  type BundleSince,
  MANIFEST_ENTRY,
  renderManifest,
} from "./manifest.ts";
import { type PlannedObject, planExport } from "./plan-export.ts";
import { resolveSince, type SinceGeneration } from "./since.ts";
import { writeTarFile } from "./tar-file.ts";

/** Progress of an export or import, reported after each object. */
export interface BundleProgress {
  key: string;
  objectsDone: number;
  objectsTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface ExportBundleOptions {
  store: ObjectStore;
  /** Bundle to write; written as `FILE.partial` and renamed when complete. */
  file: string;
  /** The operator's armored private key (or one parsed with `parseSigningKey`). */
  signingKey: SigningKeyInput;
  /** Leave out payload older than this generation's publish (metadata always goes in). */
  since?: SinceGeneration;
  onProgress?: (progress: BundleProgress) => void;
}

export interface ExportBundleResult {
  file: string;
  /** Size of the bundle file. */
  bytes: number;
  manifest: BundleManifest;
  /** Objects written into the bundle, and their bytes. */
  included: number;
  includedBytes: number;
  /** Objects an incremental bundle left out (the importing store must hold them). */
  excluded: number;
}

async function listAll(store: ObjectStore): Promise<ObjectInfo[]> {
  const listing: ObjectInfo[] = [];
  for await (const info of store.list("")) listing.push(info);
  return listing;
}

/** Hashes the included objects whose sha256 the store did not record (files copied in by hand). */
async function fillDigests(store: ObjectStore, plan: PlannedObject[]): Promise<void> {
  for (const object of plan) {
    if (!object.included || object.sha256 !== undefined) continue;
    const stored = await store.get(object.key);
    if (stored === null) {
      throw new BundleError(`"${object.key}" vanished from the store during the export`, {
        key: object.key,
      });
    }
    const digest = await digestOf(stored.body);
    object.size = digest.size;
    object.sha256 = digest.sha256;
  }
}

function sameGenerations(
  before: Awaited<ReturnType<typeof readBundleJobs>>,
  after: Awaited<ReturnType<typeof readBundleJobs>>,
): boolean {
  return (
    before.agents?.generation === after.agents?.generation &&
    before.images?.generation === after.images?.generation
  );
}

/**
 * `streamgate bundle export FILE`: one tar file that carries the store's published tree
 * across an air gap. Its first entry is `manifest.json.asc` — every object's key, size and
 * sha256 plus each job's generations, clearsigned with the operator's key — followed by
 * the objects in publish order (payload, product files, index files last), each streamed
 * from the store and checked against the manifest on the way. Internal `.streamgate/`
 * files are never exported; job generations travel in the manifest.
 *
 * The export fails (and leaves neither `FILE` nor `FILE.partial`) when an object vanishes
 * or changes while it is read, or when a sync publishes a new generation meanwhile.
 *
 * @throws {BundleInputError} when `since` names a generation the store does not know.
 * @throws {UnusableKeyError} when the key cannot sign.
 * @throws {BundleError} when the store holds nothing or changes during the export.
 */
export async function exportBundle(options: ExportBundleOptions): Promise<ExportBundleResult> {
  const { store } = options;
  const signingKey = await parseSigningKey(options.signingKey);
  const jobs = await readBundleJobs(store);
  const since: BundleSince | undefined =
    options.since === undefined ? undefined : resolveSince(jobs, options.since);
  const listing = await listAll(store);
  if (listing.length === 0) {
    throw new BundleError(`the ${store.name} store holds no published objects: nothing to export`);
  }
  const plan = planExport(listing, since === undefined ? undefined : new Date(since.publishedAt));
  await fillDigests(store, plan);
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    createdAt: new Date().toISOString(),
    ...(since === undefined ? {} : { since }),
    jobs,
    objects: plan.map((object) => ({
      key: object.key,
      size: object.size,
      ...(object.sha256 === undefined ? {} : { sha256: object.sha256 }),
      included: object.included,
    })),
  };
  const signed = new TextEncoder().encode(
    await clearsign(renderManifest(manifest), signingKey, { date: new Date(manifest.createdAt) }),
  );
  const included = plan.filter((object) => object.included);
  const bytesTotal = included.reduce((sum, object) => sum + object.size, 0);
  let bytesDone = 0;

  const written = await writeTarFile(options.file, async (add) => {
    await add({
      name: MANIFEST_ENTRY,
      size: signed.byteLength,
      mtime: new Date(manifest.createdAt),
      body: signed,
    });
    for (const [index, object] of included.entries()) {
      const { key, size, sha256 } = object;
      const changed = (problem: string) =>
        new BundleError(
          `"${key}" changed in the store during the export (${problem}); run it again`,
          {
            key,
          },
        );
      const stored = await store.get(key);
      if (stored === null) {
        throw new BundleError(`"${key}" vanished from the store during the export`, { key });
      }
      if (stored.size !== size) {
        await stored.body.cancel();
        throw changed(`expected ${size} bytes, it now has ${stored.size}`);
      }
      await add({
        name: key,
        size,
        mtime: stored.lastModified,
        body: checkedBytes(stored.body, { size, sha256: sha256 as string }, changed),
      });
      bytesDone += size;
      options.onProgress?.({
        key,
        objectsDone: index + 1,
        objectsTotal: included.length,
        bytesDone,
        bytesTotal,
      });
    }
    // The listing is one snapshot only if nothing was published while it was read.
    if (!sameGenerations(jobs, await readBundleJobs(store))) {
      throw new BundleError("a sync published a new generation during the export; run it again");
    }
  }).catch((error: unknown) => {
    if (error instanceof BundleError) throw error;
    throw new BundleError(`writing ${options.file} failed: ${messageOf(error)}`, { cause: error });
  });

  return {
    file: written.file,
    bytes: written.bytes,
    manifest,
    included: included.length,
    includedBytes: bytesTotal,
    excluded: plan.length - included.length,
  };
}
