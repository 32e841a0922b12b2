import type { OverrideTable } from "./image-overrides.ts";
import { imageProductId, RELEASED_STREAM } from "./image-paths.ts";
import type { SourceImage } from "./image-source.ts";
import { parseJujuArch } from "./juju-arch.ts";
import { parseUbuntuVersion } from "./ubuntu-releases.ts";

/** An image in Juju's vocabulary, ready to become an item of `productId`. */
export interface MappedImage {
  region: string;
  /** Keystone URL written on the item and in the index's `clouds`. */
  endpoint: string;
  id: string;
  name?: string;
  createdAt?: string;
  stream: string;
  /** Ubuntu version, `24.04`. */
  version: string;
  /** Debian architecture name, `amd64`. */
  arch: string;
  virt?: string;
  root_store?: string;
  productId: string;
}

/** An image left out of the metadata, and why; the report lists these. */
export interface UnmappedImage {
  region: string;
  id: string;
  name?: string;
  reason: string;
}

export type MapImageResult =
  | { ok: true; image: MappedImage }
  | { ok: false; unmapped: UnmappedImage };

export interface MapImageContext {
  region: string;
  endpoint: string;
  overrides: OverrideTable;
}

function stringProperty(properties: SourceImage["properties"], name: string): string | undefined {
  const value = properties[name];
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

function explain(value: string | undefined, missing: string, invalid: string): string {
  return value === undefined ? missing : invalid.replace("%s", JSON.stringify(value));
}

/**
 * Maps one listed image to Juju's `version`/`arch`/`stream`, from (first wins) what the
 * source declares, the first matching override row, and the Glance properties `os_distro`
 * (must be `ubuntu`), `os_version` (version or codename) and `architecture`. Nothing is
 * guessed: an image missing any of these is returned as unmapped with the reason.
 * `virt` and `root_store` come only from a declaration or an override.
 */
export function mapImage(image: SourceImage, context: MapImageContext): MapImageResult {
  const { region, endpoint } = context;
  const override = context.overrides.find(image, region);
  const declared = image.declared ?? {};
  const unmapped = (reason: string): MapImageResult => ({
    ok: false,
    unmapped: {
      region,
      id: image.id,
      ...(image.name === undefined ? {} : { name: image.name }),
      reason,
    },
  });

  const statedVersion = declared.version ?? override?.version;
  if (statedVersion === undefined) {
    const distro = stringProperty(image.properties, "os_distro");
    if (distro?.toLowerCase() !== "ubuntu") {
      return unmapped(
        explain(
          distro,
          "no os_distro property (set os_distro=ubuntu on the image, or add an override)",
          "os_distro is %s, not ubuntu",
        ),
      );
    }
  }
  const rawVersion = statedVersion ?? stringProperty(image.properties, "os_version");
  const version = rawVersion === undefined ? undefined : parseUbuntuVersion(rawVersion);
  if (version === undefined) {
    return unmapped(
      explain(
        rawVersion,
        "no os_version property (set os_version=24.04 or noble, or add an override)",
        "os_version %s is not an Ubuntu version or codename",
      ),
    );
  }
  const rawArch =
    declared.arch ??
    override?.arch ??
    stringProperty(image.properties, "architecture") ??
    stringProperty(image.properties, "hw_architecture");
  const arch = rawArch === undefined ? undefined : parseJujuArch(rawArch);
  if (arch === undefined) {
    return unmapped(
      explain(
        rawArch,
        "no architecture property (set architecture=x86_64, or add an override)",
        "architecture %s is not one Juju deploys (amd64, arm64, ppc64el, s390x, riscv64)",
      ),
    );
  }
  const stream = declared.stream ?? override?.stream ?? RELEASED_STREAM;
  const virt = declared.virt ?? override?.virt;
  const rootStore = declared.root_store ?? override?.rootStore;
  return {
    ok: true,
    image: {
      region,
      endpoint,
      id: image.id,
      ...(image.name === undefined ? {} : { name: image.name }),
      ...(image.createdAt === undefined ? {} : { createdAt: image.createdAt }),
      stream,
      version,
      arch,
      ...(virt === undefined ? {} : { virt }),
      ...(rootStore === undefined ? {} : { root_store: rootStore }),
      productId: imageProductId(stream, version, arch),
    },
  };
}
