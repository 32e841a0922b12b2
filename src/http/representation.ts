/** How each kind of file in the tree is labelled, cached and compressed. */

export interface Representation {
  contentType: string;
  cacheControl: string;
  /** Worth gzipping on the fly when the client accepts it. */
  compressible: boolean;
}

/** Tarballs never change under their name (the version is in it). */
const IMMUTABLE = "public, max-age=31536000, immutable";
/** Indexes and product files change with every publish; Juju re-reads them anyway. */
const SHORT = "public, max-age=60, must-revalidate";

const TARBALL: Representation = {
  contentType: "application/gzip",
  cacheControl: IMMUTABLE,
  // Never Content-Encoding on a .tgz: Go's client would unpack it and the sha256 check
  // fails (juju-contract.md §2).
  compressible: false,
};
const JSON_FILE: Representation = {
  contentType: "application/json",
  cacheControl: SHORT,
  compressible: true,
};
const SIGNED_JSON: Representation = {
  contentType: "text/plain; charset=utf-8",
  cacheControl: SHORT,
  compressible: true,
};
/** Armored keys and detached signatures: readable in a browser, fine for curl. */
const ARMORED: Representation = {
  contentType: "text/plain; charset=utf-8",
  cacheControl: SHORT,
  compressible: false,
};
const OTHER: Representation = {
  contentType: "application/octet-stream",
  cacheControl: SHORT,
  compressible: false,
};

/**
 * Chosen by extension only, never from what the store recorded: the tree holds a handful
 * of known file kinds, and a stored `text/html` must not turn a mirror into a web host.
 */
export function representationFor(key: string): Representation {
  const dot = key.lastIndexOf(".");
  if (dot === -1) return OTHER;
  switch (key.slice(dot + 1)) {
    case "tgz":
      return TARBALL;
    case "json":
      return JSON_FILE;
    case "sjson":
      return SIGNED_JSON;
    case "asc":
      return ARMORED;
    default:
      return key.endsWith(".tar.gz") ? TARBALL : OTHER;
  }
}

/**
 * True when `Accept-Encoding` allows gzip: `gzip` or `x-gzip` with a non-zero q, or else a
 * `*` with a non-zero q (RFC 9110 §12.5.3).
 */
export function acceptsGzip(header: string | null): boolean {
  if (header === null) return false;
  let star = false;
  for (const part of header.split(",")) {
    const [name = "", ...params] = part.split(";");
    const coding = name.trim().toLowerCase();
    if (coding !== "gzip" && coding !== "x-gzip" && coding !== "*") continue;
    const q = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith("q="));
    const accepted = q === undefined || Number(q.slice(2)) > 0;
    if (coding !== "*") return accepted;
    star = accepted;
  }
  return star;
}
