import type { PrivateKey } from "openpgp";
import type { CloudSpec } from "../core/types.ts";
import { parseSigningKey, type SigningKeyInput } from "../signing/parse-keys.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { compileOverrides, type ImageOverride } from "./image-overrides.ts";
import type { ImageSource, RegionListing } from "./image-source.ts";
import { ImageSourceError, ImagesInputError } from "./images-errors.ts";
import { type ImagesLockOptions, withImagesLock } from "./images-lock.ts";
import {
  buildRegionDrift,
  type FileChange,
  type ImagesReport,
  type RegionReport,
} from "./images-report.ts";
import { type MappedImage, mapImage, type UnmappedImage } from "./map-image.ts";
import { planImageTree } from "./plan-image-tree.ts";
import { publishImageTree } from "./publish-image-tree.ts";
import { type PublishedItem, publishedItemOf } from "./published-item.ts";
import { readPreviousImages } from "./read-previous-images.ts";
import { selectImages } from "./select-images.ts";

export const DEFAULT_CONTENT_ID = "com.ubuntu.cloud:custom";
export const DEFAULT_KEEP_GENERATIONS = 2;

export interface RunImagesSyncOptions {
  store: ObjectStore;
  source: ImageSource;
  /** `cloudname` in the index; default: what the source names (a static list's `cloud`). */
  cloud?: string;
  /**
   * Keystone URL exactly as Juju's cloud definition has it, for every region; default: the
   * source's (OS_AUTH_URL, a static list's `endpoint`). Juju matches index entries on it.
   */
  endpoint?: string;
  /** Per-region Keystone URLs; they win over a static list's and over `endpoint`. */
  regionEndpoints?: Readonly<Record<string, string>>;
  /** Content id of the released stream's index entry. Default `com.ubuntu.cloud:custom`. */
  contentId?: string;
  /** Version keys of earlier publishes kept next to the current one. Default 2. */
  keepGenerations?: number;
  overrides?: readonly ImageOverride[];
  /**
   * The operator's armored private key (Worker secret `STREAMGATE_SIGNING_KEY`, or a key
   * file's text) or a parsed key. It goes into no file, log or message. Absent → unsigned
   * `.json` only, with a warning.
   */
  signingKey?: SigningKeyInput;
  /** Read and plan, change nothing (and take no lock). */
  dryRun?: boolean;
  /** The store's images lease lock, held while the tree is read and rewritten. */
  lock?: ImagesLockOptions;
  now?: () => Date;
  signal?: AbortSignal;
  log?: (message: string) => void;
}

export interface ImagesSyncResult {
  report: ImagesReport;
  /** Named counts for the job state and `/metrics`. */
  counts: Record<string, number>;
}

function regionEndpoint(
  listing: RegionListing,
  options: RunImagesSyncOptions,
  sourceEndpoint: string | undefined,
): string {
  const endpoint =
    (options.regionEndpoints !== undefined && Object.hasOwn(options.regionEndpoints, listing.region)
      ? options.regionEndpoints[listing.region]
      : undefined) ??
    listing.endpoint ??
    options.endpoint ??
    sourceEndpoint;
  if (endpoint === undefined || endpoint === "") {
    throw new ImagesInputError("no Keystone URL", [
      `region ${listing.region}: set images.endpoint (or --endpoint) to the Keystone URL of Juju's cloud definition`,
    ]);
  }
  return endpoint;
}

function checkOptions(options: RunImagesSyncOptions): void {
  const keep = options.keepGenerations;
  if (keep !== undefined && (!Number.isInteger(keep) || keep < 0)) {
    throw new TypeError(
      `[streamgate] [images] Expected \`keepGenerations\` to be an integer from 0 and up, got ${keep}`,
    );
  }
}

/**
 * One image-ids sync: list every region of the source, map the images to Juju's products,
 * plan the new tree against the published one, sign and publish it (or, with `dryRun`,
 * only work out what would change), and report drift per region.
 *
 * A region the source failed to list keeps the ids it had and is reported; if every
 * region fails, nothing is published and `ImageSourceError` is thrown. Runtime-neutral:
 * the same code runs from the CLI, the Node scheduler and a Worker's cron.
 *
 * @throws {ImagesInputError} bad settings or source input (CLI exit 2).
 * @throws {UnusableKeyError} a signing key Juju could not verify signatures of.
 * @throws {ImageSourceError} the cloud could not be read (CLI exit 1).
 */
export async function runImagesSync(options: RunImagesSyncOptions): Promise<ImagesSyncResult> {
  checkOptions(options);
  const now = (options.now ?? (() => new Date()))();
  const log = options.log ?? (() => {});
  const dryRun = options.dryRun ?? false;
  const signingKey: PrivateKey | undefined =
    options.signingKey === undefined ? undefined : await parseSigningKey(options.signingKey);

  const listing = await options.source.list(
    options.signal === undefined ? {} : { signal: options.signal },
  );
  const cloud = options.cloud ?? listing.cloud;
  if (cloud === undefined || cloud === "") {
    throw new ImagesInputError("no cloud name", [
      "set images.cloud (or --cloud): the cloudname written in the index",
    ]);
  }
  if (listing.regions.length === 0) {
    throw new ImageSourceError(
      "images",
      `${options.source.description} lists no region with an image service`,
    );
  }
  const failedRegions = listing.regions.filter((region) => !region.ok);
  if (failedRegions.length === listing.regions.length) {
    const reasons = failedRegions.map(
      (region) => `${region.region}: ${region.ok ? "" : region.error}`,
    );
    throw new ImageSourceError(
      "images",
      `every region failed, nothing published:\n  ${reasons.join("\n  ")}`,
    );
  }

  const overrides = compileOverrides(options.overrides);
  const endpoints = new Map(
    listing.regions.map((region) => [
      region.region,
      regionEndpoint(region, options, listing.endpoint),
    ]),
  );

  const mapped: MappedImage[] = [];
  const unmapped: UnmappedImage[] = [];
  for (const region of listing.regions) {
    if (!region.ok) continue;
    const endpoint = endpoints.get(region.region) as string;
    for (const image of region.images) {
      const result = mapImage(image, { region: region.region, endpoint, overrides });
      if (result.ok) mapped.push(result.image);
      else unmapped.push(result.unmapped);
    }
  }
  const { selected, superseded } = selectImages(mapped);
  const clouds: CloudSpec[] = [...endpoints].map(([region, endpoint]) => ({ region, endpoint }));

  // Read, plan and write under the lock: the plan is relative to the tree it read.
  const publish = async (signal: AbortSignal | undefined, lockWarnings: string[]) => {
    const previous = await readPreviousImages(options.store);
    const carried: PublishedItem[] = [];
    for (const region of failedRegions) {
      const endpoint = endpoints.get(region.region) as string;
      for (const item of previous.current) {
        if (item.region === region.region) carried.push({ ...item, endpoint });
      }
    }
    const items = [...selected.map(publishedItemOf), ...carried];
    const plan = planImageTree({
      items,
      previous,
      cloud,
      contentId: options.contentId ?? DEFAULT_CONTENT_ID,
      keepGenerations: options.keepGenerations ?? DEFAULT_KEEP_GENERATIONS,
      clouds,
      now,
    });
    const files: FileChange[] = await publishImageTree({
      store: options.store,
      plan,
      ...(signingKey === undefined ? {} : { signingKey }),
      dryRun,
      now,
      ...(signal === undefined ? {} : { signal }),
    });
    return { previous, items, plan, files, lockWarnings };
  };
  const { previous, items, plan, files, lockWarnings } = dryRun
    ? await publish(options.signal, [])
    : await withImagesLock(
        options.store,
        {
          ...options.lock,
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        },
        publish,
      );

  const regions: RegionReport[] = listing.regions.map((region) => {
    const before = previous.current.filter((item) => item.region === region.region);
    const after = items.filter((item) => item.region === region.region);
    return {
      region: region.region,
      endpoint: endpoints.get(region.region) as string,
      status: region.ok ? "ok" : "failed",
      ...(region.ok ? {} : { error: region.error }),
      listed: region.ok ? region.images.length : 0,
      published: after.length,
      ...buildRegionDrift(before, after),
      unmapped: unmapped
        .filter((image) => image.region === region.region)
        .map(({ region: _, ...image }) => image),
      superseded: superseded
        .filter((image) => image.region === region.region)
        .map(({ region: _, ...image }) => image),
    };
  });
  // A region the cloud no longer lists (its image endpoint was removed) loses its ids.
  const listed = new Set(listing.regions.map((region) => region.region));
  const gone = new Map<string, PublishedItem[]>();
  for (const item of previous.current) {
    if (listed.has(item.region)) continue;
    gone.set(item.region, [...(gone.get(item.region) ?? []), item]);
  }
  for (const [region, before] of [...gone].sort(([a], [b]) => (a < b ? -1 : 1))) {
    regions.push({
      region,
      endpoint: before[0]?.endpoint ?? "",
      status: "gone",
      listed: 0,
      published: 0,
      ...buildRegionDrift(before, []),
      unmapped: [],
      superseded: [],
    });
  }

  const warnings = [...lockWarnings, ...previous.warnings];
  if (signingKey === undefined) {
    warnings.push(
      "no signing key: published unsigned .json only (Juju reads them from image-metadata-url); set images.signingKey to publish signed .sjson",
    );
  }
  for (const region of regions) {
    if (region.status === "failed") {
      warnings.push(
        `region ${region.region} failed (${region.error}); it keeps its ${region.published} previous image id(s)`,
      );
    } else if (region.status === "gone") {
      warnings.push(
        `region ${region.region} is no longer in the cloud's image catalog; its ${region.removed.length} image id(s) were removed`,
      );
    }
  }
  if (unmapped.length > 0) {
    warnings.push(
      `${unmapped.length} image(s) could not be mapped to an Ubuntu version and architecture; see the report`,
    );
  }
  const published = files.length > 0 && !dryRun;
  const report: ImagesReport = {
    cloud,
    source: options.source.description,
    dryRun,
    published,
    signed: signingKey !== undefined,
    ...(plan.versionKey === undefined || files.length === 0 ? {} : { versionKey: plan.versionKey }),
    regions,
    regionsWithoutImages: listing.regionsWithoutImages ?? [],
    files,
    warnings,
  };
  const sum = (pick: (region: RegionReport) => number) =>
    regions.reduce((total, region) => total + pick(region), 0);
  const counts = {
    regions: regions.length,
    regionsFailed: failedRegions.length,
    listed: sum((region) => region.listed),
    published: items.length,
    unmapped: unmapped.length,
    superseded: superseded.length,
    added: sum((region) => region.added.length),
    removed: sum((region) => region.removed.length),
    changed: sum((region) => region.changed.length),
    filesWritten: published ? files.filter((file) => file.action === "write").length : 0,
    filesDeleted: published ? files.filter((file) => file.action === "delete").length : 0,
  };
  log(
    `[streamgate] [images] ${cloud}: ${counts.published} image id(s) in ${counts.regions} region(s), ` +
      `${counts.added} added, ${counts.removed} removed, ${counts.changed} changed, ` +
      `${counts.unmapped} unmapped, ${counts.regionsFailed} region(s) failed; ` +
      (dryRun ? `${files.length} file change(s) planned` : published ? "published" : "unchanged"),
  );
  return { report, counts };
}
