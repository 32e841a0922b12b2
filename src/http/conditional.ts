/** Conditional GET (RFC 9110 §13): which requests get `304 Not Modified`. */

/** True when one of the entity tags in an `If-None-Match` list matches (weak comparison). */
export function matchesIfNoneMatch(header: string, etag: string): boolean {
  if (header.trim() === "*") return true;
  for (const candidate of header.split(",")) {
    let tag = candidate.trim();
    if (tag.startsWith("W/")) tag = tag.slice(2);
    if (tag.length === etag.length + 2 && tag === `"${etag}"`) return true;
  }
  return false;
}

/**
 * `If-None-Match` decides when present; `If-Modified-Since` is looked at only without it
 * (RFC 9110 §13.1.3). HTTP dates have one-second resolution, so the stored time is
 * truncated before comparing.
 */
export function isNotModified(headers: Headers, etag: string, lastModified: Date): boolean {
  const ifNoneMatch = headers.get("if-none-match");
  if (ifNoneMatch !== null) return matchesIfNoneMatch(ifNoneMatch, etag);
  const ifModifiedSince = headers.get("if-modified-since");
  if (ifModifiedSince === null) return false;
  const since = Date.parse(ifModifiedSince);
  if (Number.isNaN(since)) return false;
  return Math.floor(lastModified.getTime() / 1000) * 1000 <= since;
}

/**
 * `If-Range` (RFC 9110 §13.1.5): the range applies only if the representation is still the
 * one the client has. An entity tag must match strongly; a date must equal
 * `Last-Modified` exactly.
 */
export function rangeStillValid(header: string | null, etag: string, lastModified: Date): boolean {
  if (header === null) return true;
  const value = header.trim();
  if (value.startsWith('"')) return value === `"${etag}"`;
  if (value.startsWith("W/")) return false;
  const date = Date.parse(value);
  return !Number.isNaN(date) && Math.floor(lastModified.getTime() / 1000) * 1000 === date;
}
