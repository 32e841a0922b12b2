/**
 * Juju joins `base + "/" + path` without normalising (juju-contract §1), and the same
 * string is our store key and the URL path we serve. A metadata path is therefore only
 * safe when the join cannot escape the base and the key and the URL cannot disagree.
 */

// `%2e` `%2f` `%5c` `%00`: a server that decodes them would see `.`, `/`, `\` or NUL
// where the store key has plain text — the same escape as writing them out.
const ENCODED_SPECIAL = /%(?:2e|2f|5c|00)/i;
// Every real path has this shape; matching it settles the common case with one regex.
const PLAIN_PATH = /^[\w\-+~:,=@][\w\-+~:,=@.]*(?:\/[\w\-+~:,=@][\w\-+~:,=@.]*)*$/;

// C0 controls and DEL (NUL included); `?` and `#` would end the URL path early.
function findUnsafeCharacter(path: string): string | undefined {
  for (let i = 0; i < path.length; i++) {
    const code = path.charCodeAt(i);
    if (code === 0) return "NUL";
    if (code < 0x20 || code === 0x7f || code === 0x3f || code === 0x23) {
      return JSON.stringify(path[i]);
    }
  }
  return undefined;
}

/**
 * Why `path` is not a safe relative metadata path, or `undefined` when it is.
 * Refuses: empty, a leading `/`, backslashes, control characters (NUL…), `?` and `#`,
 * percent-encoded dots/slashes/backslashes/NUL, empty segments (`a//b`, a trailing `/`,
 * `http://…`), and segments starting with `.` — which covers `.` and `..`, and
 * `.streamgate/…`, which the tree never serves (DESIGN §4).
 */
export function checkRelativePath(path: string): string | undefined {
  if (PLAIN_PATH.test(path)) return undefined;
  if (path.length === 0) return "must not be empty";
  if (path.startsWith("/")) return 'must be relative (must not start with "/")';
  if (path.includes("\\")) return "must not contain backslashes";
  const unsafe = findUnsafeCharacter(path);
  if (unsafe !== undefined) return `must not contain ${unsafe}`;
  if (ENCODED_SPECIAL.test(path)) {
    return "must not contain percent-encoded dots, slashes, backslashes or NUL";
  }
  for (const segment of path.split("/")) {
    if (segment === "") return "must not contain empty segments";
    if (segment === "..") return 'must not contain ".." segments';
    if (segment.startsWith(".")) return 'must not contain segments starting with "."';
  }
  return undefined;
}

/** A metadata path or object key that is not safe to join to a base URL. */
export class UnsafePathError extends Error {
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string, label = "path") {
    super(`[streamgate] [core] invalid ${label} ${JSON.stringify(path)}: ${reason}`);
    this.name = "UnsafePathError";
    this.path = path;
    this.reason = reason;
  }
}

/**
 * Throws `UnsafePathError` unless `path` passes `checkRelativePath`.
 * `label` names the value in the message (`"product path"`, `"object key"`…).
 */
export function assertRelativePath(path: string, label = "path"): void {
  const reason = checkRelativePath(path);
  if (reason !== undefined) throw new UnsafePathError(path, reason, label);
}
