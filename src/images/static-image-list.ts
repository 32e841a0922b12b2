import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";
import { RELEASED_STREAM, STREAM_PATTERN } from "./image-paths.ts";
import type { ImageSource, SourceListing } from "./image-source.ts";
import { ImagesInputError } from "./images-errors.ts";
import { parseJujuArch } from "./juju-arch.ts";
import { parseUbuntuVersion } from "./ubuntu-releases.ts";

/** A string field read through a parser; numbers get a hint, since YAML reads `24.04` as one. */
function parsedString(parse: (value: string) => string | undefined, expected: string) {
  return z.unknown().transform((value, context) => {
    if (typeof value === "string") {
      const parsed = parse(value);
      if (parsed !== undefined) return parsed;
      context.addIssue({ code: "custom", message: `${JSON.stringify(value)} is not ${expected}` });
    } else if (typeof value === "number") {
      context.addIssue({
        code: "custom",
        message: `expected a string, got the number ${value}: quote it ("${value}"), YAML reads 24.04 as a number and 20.10 as 20.1`,
      });
    } else {
      context.addIssue({
        code: "custom",
        message: value === undefined ? "required" : `expected a string, got ${typeof value}`,
      });
    }
    return z.NEVER;
  });
}

const httpUrl = z
  .string()
  .regex(
    /^https?:\/\/\S+$/i,
    "expected an http:// or https:// URL (the Keystone URL of Juju's cloud)",
  );

const staticImageSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  version: parsedString(parseUbuntuVersion, "an Ubuntu version (24.04) or codename (noble)"),
  arch: parsedString(
    parseJujuArch,
    "an architecture Juju deploys (amd64, arm64, ppc64el, s390x, riscv64)",
  ),
  virt: z.string().min(1).optional(),
  root_store: z.string().min(1).optional(),
  stream: z
    .string()
    .regex(STREAM_PATTERN, "expected a lowercase stream name such as released or daily")
    .default(RELEASED_STREAM),
});

const regionSchema = z
  .strictObject({
    endpoint: httpUrl.optional(),
    images: z.array(staticImageSchema),
  })
  .superRefine((region, context) => {
    const first = new Map<string, number>();
    region.images.forEach((image, i) => {
      const earlier = first.get(image.id);
      if (earlier === undefined) first.set(image.id, i);
      else {
        context.addIssue({
          code: "custom",
          path: ["images", i, "id"],
          message: `${image.id} is listed twice in this region (also images[${earlier}])`,
        });
      }
    });
  });

/** `--from FILE.yaml|FILE.json`: the images of each region, listed by hand. */
export const staticImageListSchema = z.strictObject({
  /** `cloudname` in the index. */
  cloud: z.string().min(1).optional(),
  /** Keystone URL of Juju's cloud definition, for every region without its own. */
  endpoint: httpUrl.optional(),
  regions: z
    .record(z.string().min(1), regionSchema)
    .refine((regions) => Object.keys(regions).length > 0, { message: "list at least one region" }),
});

export type StaticImageList = z.infer<typeof staticImageListSchema>;

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** `regions.RegionOne.images[0].arch`, `regions["Region One"].endpoint`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const step of path) {
    if (typeof step === "number") out += `[${step}]`;
    else {
      const name = String(step);
      out += IDENTIFIER.test(name)
        ? `${out === "" ? "" : "."}${name}`
        : `[${JSON.stringify(name)}]`;
    }
  }
  return out === "" ? "(top level)" : out;
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => `${formatKeyPath([...issue.path, key])}: unknown key`);
  }
  return [`${formatKeyPath(issue.path)}: ${issue.message}`];
}

/**
 * Validates a static image list (YAML or JSON text; JSON is YAML).
 *
 * @throws {ImagesInputError} naming the key path of every problem, e.g.
 *   `regions.RegionOne.images[0].arch: "i686" is not an architecture Juju deploys…`.
 */
export function parseStaticImageList(text: string, origin: string): StaticImageList {
  let document: unknown;
  try {
    document = parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      throw new ImagesInputError(`invalid static image list ${origin}`, [error.message]);
    }
    throw error;
  }
  const result = staticImageListSchema.safeParse(document ?? {});
  if (result.success) return result.data;
  throw new ImagesInputError(
    `invalid static image list ${origin}`,
    result.error.issues.flatMap(describeIssue),
  );
}

/** An `ImageSource` over a validated static list; every region lists its images as declared. */
export function createStaticImageSource(list: StaticImageList, origin: string): ImageSource {
  return {
    description: `static list ${origin}`,
    list: async function listStaticImages(): Promise<SourceListing> {
      const regions = Object.keys(list.regions).sort();
      return {
        ...(list.cloud === undefined ? {} : { cloud: list.cloud }),
        ...(list.endpoint === undefined ? {} : { endpoint: list.endpoint }),
        regions: regions.map((region) => {
          const { endpoint, images } = list.regions[region] as StaticImageList["regions"][string];
          return {
            region,
            ...(endpoint === undefined ? {} : { endpoint }),
            ok: true,
            images: images.map(({ id, name, version, arch, virt, root_store, stream }) => ({
              id,
              ...(name === undefined ? {} : { name }),
              properties: {},
              declared: {
                version,
                arch,
                stream,
                ...(virt === undefined ? {} : { virt }),
                ...(root_store === undefined ? {} : { root_store }),
              },
            })),
          };
        }),
      };
    },
  };
}
