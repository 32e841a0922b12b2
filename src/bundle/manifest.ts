import { z } from "zod";
import type { JobName } from "../scheduler/job-state.ts";
import { InvalidKeyError } from "../store/errors.ts";
import { assertValidKey } from "../store/keys.ts";
import { BundleError, messageOf } from "./errors.ts";

/** Format tag of the manifest; a reader refuses any other (the schema is strict). */
export const BUNDLE_FORMAT = "streamgate-bundle:1";

/** Name of the clearsigned manifest, always the first tar entry. */
export const MANIFEST_ENTRY = "manifest.json.asc";

/** One object of the exported tree. */
export interface BundleObject {
  key: string;
  size: number;
  /** Lowercase hex; always present for included objects. */
  sha256?: string;
  /**
   * `false` in an incremental bundle for an object left out because it did not change
   * since the `since` generation: the importing store must already hold it.
   */
  included: boolean;
}

/** What the exporting store recorded about one job (`.streamgate/state/<job>.json`). */
export interface BundleJob {
  generation: number;
  /** `{ "3": "2026-11-23T18:00:00.000Z" }`: when each generation was published. */
  generations: Record<string, string>;
  /** Settings that produced the generation, copied from its report when it has them. */
  settings?: Record<string, unknown>;
}

/** The cut-off of an incremental bundle: objects changed at or after this publish. */
export interface BundleSince {
  job: JobName;
  generation: number;
  publishedAt: string;
}

/** The signed table of contents of a bundle (`manifest.json.asc`). */
export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  createdAt: string;
  since?: BundleSince;
  jobs: Partial<Record<JobName, BundleJob>>;
  /** In tar order: payload, metadata, index files last (see `classifyKey`). */
  objects: BundleObject[];
}

const isoTime = z.string().refine((text) => !Number.isNaN(Date.parse(text)), "expected a time");
const jobName = z.enum(["agents", "images"]);

const objectSchema = z
  .strictObject({
    key: z.string(),
    size: z.int().min(0),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex digits")
      .optional(),
    included: z.boolean(),
  })
  .refine((object) => !object.included || object.sha256 !== undefined, {
    message: "an included object needs its sha256",
  });

const jobSchema = z.strictObject({
  generation: z.int().min(0),
  generations: z.record(z.string().regex(/^\d+$/, "expected a generation number"), isoTime),
  settings: z.record(z.string(), z.unknown()).optional(),
});

const manifestSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  createdAt: isoTime,
  since: z
    .strictObject({ job: jobName, generation: z.int().min(0), publishedAt: isoTime })
    .optional(),
  jobs: z.strictObject({ agents: jobSchema.optional(), images: jobSchema.optional() }),
  objects: z.array(objectSchema),
});

/** The manifest as signed: 1-space JSON like upstream simplestreams, ending in LF. */
export function renderManifest(manifest: BundleManifest): string {
  return `${JSON.stringify(manifest, null, 1)}\n`;
}

/**
 * Reads the (already verified) manifest text. Refuses another format, a key that could
 * escape the tree or reach streamgate's internal files, and a key listed twice.
 *
 * @throws {BundleError} naming the first problem.
 */
export function parseManifest(text: string): BundleManifest {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new BundleError(`the manifest is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const result = manifestSchema.safeParse(document);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    throw new BundleError(
      `the manifest is not a ${BUNDLE_FORMAT} manifest: ${problems.join("; ")}`,
    );
  }
  const manifest = result.data as BundleManifest;
  const seen = new Set<string>();
  for (const { key } of manifest.objects) {
    try {
      assertValidKey(key, { allowInternal: false });
    } catch (error) {
      if (!(error instanceof InvalidKeyError)) throw error;
      throw new BundleError(`the manifest lists an unsafe key: ${messageOf(error)}`, { key });
    }
    if (seen.has(key)) {
      throw new BundleError(`the manifest lists "${key}" twice`, { key });
    }
    seen.add(key);
  }
  return manifest;
}
