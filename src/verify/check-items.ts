import { type FlatItem, tryParseJujuVersion } from "../core/index.ts";
import type { TarballClaim } from "./tarball-check.ts";

export interface ItemDefect {
  message: string;
  juju: string;
}

export interface ItemCheck {
  problems: ItemDefect[];
  /** Agents: the tarball the item names, when it names one completely. */
  tarball: TarballClaim | undefined;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
// com.ubuntu.cloud:server:24.04:amd64, com.ubuntu.cloud.daily:server:24.04:arm64
const IMAGE_PRODUCT_ID = /^com\.ubuntu\.cloud(?:\.[a-z0-9-]+)?:server:([^:]+):([^:]+)$/;

function where(item: FlatItem): string {
  return `item products[${JSON.stringify(item.productId)}].versions[${JSON.stringify(item.versionKey)}].items[${JSON.stringify(item.itemKey)}]`;
}

/** The fields Juju needs on an agent item, after aliases and inheritance. */
export function checkAgentItem(item: FlatItem): ItemCheck {
  const { fields } = item;
  const problems: ItemDefect[] = [];
  const version = fields.version ?? "";
  if (tryParseJujuVersion(version) === undefined) {
    problems.push({
      message: `${where(item)} has version ${JSON.stringify(version)}, which Juju cannot parse`,
      juju: "Juju's agent lookup panics on it while reading this product file (version.MustParse): no agent from this file can be found",
    });
  }
  const missing: string[] = (["path", "sha256", "release", "arch"] as const).filter(
    (field) => typeof fields[field] !== "string" || fields[field] === "",
  );
  if (typeof fields.size !== "number") missing.push("size");
  if (missing.length > 0) {
    problems.push({
      message: `${where(item)} has no ${missing.join(", ")} after inheritance`,
      juju: "Juju cannot match, download or check this agent",
    });
  }
  const { sha256 } = fields;
  if (typeof sha256 === "string" && sha256 !== "" && !SHA256_HEX.test(sha256)) {
    problems.push({
      message: `${where(item)} has sha256 ${JSON.stringify(sha256)}, not 64 lowercase hex digits`,
      juju: "the controller's and cloud-init's sha256 check of the download fails",
    });
  }
  const tarball =
    typeof fields.path === "string" &&
    fields.path !== "" &&
    typeof fields.size === "number" &&
    typeof sha256 === "string"
      ? { path: fields.path, size: fields.size, sha256 }
      : undefined;
  return { problems, tarball };
}

/** The fields Juju needs on an image item, after aliases and inheritance. */
export function checkImageItem(item: FlatItem): ItemCheck {
  const { fields } = item;
  const problems: ItemDefect[] = [];
  const missing = (["id", "arch", "version", "region"] as const).filter(
    (field) => typeof fields[field] !== "string" || fields[field] === "",
  );
  if (missing.length > 0) {
    problems.push({
      message: `${where(item)} has no ${missing.join(", ")} after inheritance (item, version, product, top level)`,
      juju: missing.includes("id")
        ? "Juju would pick an image without an id and fail to start the machine"
        : "Juju cannot match this image to a machine's region, base or architecture: it is never used",
    });
  }
  const product = IMAGE_PRODUCT_ID.exec(item.productId);
  if (product === null) {
    problems.push({
      message: `${where(item)} is in product ${item.productId}, not a com.ubuntu.cloud[.<stream>]:server:<version>:<arch> id`,
      juju: "Juju never asks for this product id: the image is never used",
    });
  } else if (
    (fields.version !== undefined && fields.version !== product[1]) ||
    (fields.arch !== undefined && fields.arch !== product[2])
  ) {
    problems.push({
      message: `${where(item)} resolves to version ${fields.version}, arch ${fields.arch}, unlike its product id ${item.productId}`,
      juju: "Juju selects images by product id: it would boot this image for the wrong base or architecture",
    });
  }
  return { problems, tarball: undefined };
}
