import { z } from "zod";
import { STREAM_PATTERN } from "./image-paths.ts";
import { parseJujuArch } from "./juju-arch.ts";
import { parseUbuntuVersion } from "./ubuntu-releases.ts";

function isRegex(pattern: string): boolean {
  try {
    new RegExp(pattern, "u");
    return true;
  } catch {
    return false;
  }
}

const ubuntuVersion = z.string().refine((value) => parseUbuntuVersion(value) !== undefined, {
  message: "not an Ubuntu version (24.04) or codename (noble)",
});

const jujuArch = z.string().refine((value) => parseJujuArch(value) !== undefined, {
  message: "not an architecture Juju deploys (amd64, arm64, ppc64el, s390x, riscv64)",
});

/**
 * One row of the `images.overrides` table: for images whose Glance properties are missing
 * or wrong, and the only place `virt`/`rootStore` come from (a wrong `virt` makes Juju
 * reject the image, so it is never guessed). The first row that matches an image applies;
 * its fields win over the image's properties.
 */
export const imageOverrideSchema = z
  .strictObject({
    match: z
      .strictObject({
        /** Exact Glance image id. */
        id: z.string().min(1).optional(),
        /** Regular expression searched in the image name; anchor it (`^…$`) for a whole-name match. */
        name: z
          .string()
          .min(1)
          .refine(isRegex, { message: "not a valid regular expression" })
          .optional(),
        /** Only images of this region (exact name). */
        region: z.string().min(1).optional(),
      })
      .refine((match) => match.id !== undefined || match.name !== undefined, {
        message: "set `id` or `name`",
      }),
    version: ubuntuVersion.optional(),
    arch: jujuArch.optional(),
    virt: z.string().min(1).optional(),
    rootStore: z.string().min(1).optional(),
    stream: z
      .string()
      .regex(STREAM_PATTERN, "expected a lowercase stream name such as released or daily")
      .optional(),
  })
  .refine(
    (row) =>
      [row.version, row.arch, row.virt, row.rootStore, row.stream].some(
        (field) => field !== undefined,
      ),
    { message: "an override must set at least one of version, arch, virt, rootStore, stream" },
  );

export type ImageOverride = z.infer<typeof imageOverrideSchema>;

/** A compiled override table: `find` returns the first row matching an image. */
export interface OverrideTable {
  find(image: { id: string; name?: string }, region: string): ImageOverride | undefined;
}

export function compileOverrides(rows: readonly ImageOverride[] = []): OverrideTable {
  const compiled = rows.map((row) => ({
    row,
    name: row.match.name === undefined ? undefined : new RegExp(row.match.name, "u"),
  }));
  return {
    find: function findOverride(image, region) {
      for (const { row, name } of compiled) {
        if (row.match.region !== undefined && row.match.region !== region) continue;
        if (row.match.id !== undefined && row.match.id !== image.id) continue;
        if (name !== undefined && (image.name === undefined || !name.test(image.name))) continue;
        return row;
      }
      return undefined;
    },
  };
}
