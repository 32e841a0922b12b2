/**
 * Turns the raw request path into a store key (or a directory prefix), refusing anything
 * that could name something outside the published tree.
 */

/**
 * Longest raw path we look at. Real keys are < 200 characters
 * (`juju/tools/agent/<version>/juju-<version>-<os>-<arch>.tgz`); nginx's default buffer
 * would answer 414 somewhere above 1 KiB too.
 */
export const MAX_PATH_LENGTH = 1024;

export type TreePath =
  | { kind: "object"; key: string }
  /** `prefix` is `""` for the root, else ends with `/`. */
  | { kind: "directory"; prefix: string }
  | { kind: "rejected"; status: 400 | 404 | 414; reason: string };

/** The path of a request URL exactly as sent (not decoded), without query or fragment. */
export function rawPathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf(":") + 3);
  if (start === -1) return "/";
  let end = url.length;
  for (let i = start; i < url.length; i++) {
    const code = url.charCodeAt(i);
    if (code === 63 /* ? */ || code === 35 /* # */) {
      end = i;
      break;
    }
  }
  return url.slice(start, end);
}

// Control characters (C0 and DEL) have no business in a key and confuse logs and shells.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const FORBIDDEN_DECODED = /[\u0000-\u001f\u007f/\\%]/;

/**
 * Parses a raw path (as sent, leading `/`). Each segment is percent-decoded exactly once;
 * whatever decodes to `/`, `\`, NUL, a control character or another `%` (double
 * encoding), and any `.` / `..` segment is a 400. A segment starting with `.` is internal
 * (`.streamgate/`) or foreign (`.git/`) and answers 404. Empty segments (`a//b`) are
 * merged, like nginx's `merge_slashes`, because a metadata URL configured with a trailing
 * `/` makes Juju ask for `…/tools//streams/v1/…`.
 */
export function parseTreePath(rawPath: string): TreePath {
  if (rawPath.length > MAX_PATH_LENGTH) {
    return { kind: "rejected", status: 414, reason: "path too long" };
  }
  const segments: string[] = [];
  let hidden = false;
  for (const raw of rawPath.split("/")) {
    if (raw === "") continue;
    if (raw.includes("\\")) return { kind: "rejected", status: 400, reason: "backslash in path" };
    let segment = raw;
    if (raw.includes("%")) {
      try {
        segment = decodeURIComponent(raw);
      } catch {
        return { kind: "rejected", status: 400, reason: "malformed percent-encoding" };
      }
      if (FORBIDDEN_DECODED.test(segment)) {
        return { kind: "rejected", status: 400, reason: "forbidden encoded character" };
      }
    } else if (FORBIDDEN_DECODED.test(segment)) {
      return { kind: "rejected", status: 400, reason: "forbidden character" };
    }
    if (segment === "." || segment === "..") {
      return { kind: "rejected", status: 400, reason: "dot segment" };
    }
    if (segment.charCodeAt(0) === 46 /* . */) hidden = true;
    segments.push(segment);
  }
  if (hidden) return { kind: "rejected", status: 404, reason: "hidden path" };
  const key = segments.join("/");
  if (rawPath.endsWith("/") || key === "") {
    return { kind: "directory", prefix: key === "" ? "" : `${key}/` };
  }
  return { kind: "object", key };
}
