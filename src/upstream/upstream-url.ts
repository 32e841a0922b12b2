import { checkRelativePath } from "../core/index.ts";
import { UpstreamError } from "./errors.ts";

const PROTOCOLS = new Set(["http:", "https:", "file:"]);

/**
 * Checks an upstream base (`https://streams.canonical.com/juju/tools`, a mirror, or a
 * `file://` tree) and returns it without trailing slashes, ready for `joinUpstreamUrl`.
 *
 * @throws {TypeError} naming what is wrong with `base`.
 */
export function parseUpstreamBase(base: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new TypeError(
      `[streamgate] [upstream] Expected \`base\` to be an http(s):// or file:// URL, got ${JSON.stringify(base)}`,
    );
  }
  if (!PROTOCOLS.has(url.protocol)) {
    throw new TypeError(
      `[streamgate] [upstream] Expected \`base\` to be an http(s):// or file:// URL, got the ${url.protocol} URL ${JSON.stringify(redactUrl(base))}`,
    );
  }
  if (url.search !== "" || url.hash !== "") {
    throw new TypeError(
      `[streamgate] [upstream] Expected \`base\` without a query or fragment (metadata paths are appended to it), got ${JSON.stringify(redactUrl(base))}`,
    );
  }
  return url.href.replace(/\/+$/, "");
}

/**
 * `base + "/" + path`, the join Juju makes (juju-contract §1), after checking that `path`
 * is a safe relative path with core's rules: no `..`, no leading `/`, no encoded dots or
 * slashes — a path read from upstream metadata must not reach outside the base.
 *
 * @throws {UpstreamError} with reason `path`.
 */
export function joinUpstreamUrl(base: string, path: string, label = "path"): string {
  const reason = checkRelativePath(path);
  if (reason !== undefined) {
    throw new UpstreamError(
      `refusing ${label} ${JSON.stringify(path)} under ${redactUrl(base)}: ${reason}; upstream metadata paths must be relative to the …/juju/tools base`,
      { url: `${redactUrl(base)}/${path}`, reason: "path" },
    );
  }
  return `${base}/${path}`;
}

/** The URL without a password, for messages and reports. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, "$1:***@");
}
