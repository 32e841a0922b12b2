/**
 * Names in the published image-ids tree (DESIGN.md §4, juju-contract.md §7): where files
 * live in the store, and how streams turn into product ids, content ids and file names.
 */

/** Store prefix of the tree; `image-metadata-url` = https://HOST/images. */
export const IMAGES_PREFIX = "images/";

/** The store key of the operator's public key, next to (not inside) the images tree. */
export const PUBLIC_KEY_KEY = "keys/images.asc";

/** Relative to the tree, as Juju requests it. */
export const INDEX_PATH = "streams/v1/index.json";

export const RELEASED_STREAM = "released";

/** Stream names become part of product ids and file names: keep them plain. */
export const STREAM_PATTERN = /^[a-z][a-z0-9]*$/;

const PRODUCT_PATH = /^streams\/v1\/com\.ubuntu\.cloud-([a-z][a-z0-9]*)-imagemetadata\.json$/;

/**
 * Juju's product id for an image (juju/juju environs/imagemetadata `productId`): the
 * released stream is `com.ubuntu.cloud:server:<version>:<arch>`, any other stream adds
 * itself to the prefix, `com.ubuntu.cloud.daily:server:…`.
 */
export function imageProductId(stream: string, version: string, arch: string): string {
  const prefix = stream === RELEASED_STREAM ? "com.ubuntu.cloud" : `com.ubuntu.cloud.${stream}`;
  return `${prefix}:server:${version}:${arch}`;
}

/**
 * The index content id of a stream: `contentId` itself for released, the stream added to
 * its first segment otherwise (`com.ubuntu.cloud:custom` → `com.ubuntu.cloud.daily:custom`),
 * the way product ids are formed. Juju does not filter image index entries by content id;
 * it only has to be unique per entry.
 */
export function streamContentId(contentId: string, stream: string): string {
  if (stream === RELEASED_STREAM) return contentId;
  const colon = contentId.indexOf(":");
  return colon === -1
    ? `${contentId}.${stream}`
    : `${contentId.slice(0, colon)}.${stream}${contentId.slice(colon)}`;
}

/** `streams/v1/com.ubuntu.cloud-<stream>-imagemetadata.json`, the name `juju metadata generate-image` uses. */
export function productFilePath(stream: string): string {
  return `streams/v1/com.ubuntu.cloud-${stream}-imagemetadata.json`;
}

/** The stream a product file path of ours names, or `undefined` for any other path. */
export function streamOfProductPath(path: string): string | undefined {
  return PRODUCT_PATH.exec(path)?.[1];
}

/** `foo.json` → `foo.sjson`. */
export function signedPath(path: string): string {
  return `${path.slice(0, -".json".length)}.sjson`;
}
