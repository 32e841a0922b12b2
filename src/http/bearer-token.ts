/** Checks `Authorization: Bearer …` against the configured token without leaking timing. */

const encoder = new TextEncoder();

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/** Compares every byte whatever the first difference is; both inputs are 32-byte digests. */
function equalDigests(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

/**
 * Returns a checker for one configured token. Both sides are hashed first, so the
 * comparison always runs over 32 bytes: neither the position of the first wrong byte nor
 * the token's length shows in the time it takes.
 */
export function createBearerCheck(token: string) {
  const expected = sha256(token);
  return async function isAuthorized(authorization: string | null): Promise<boolean> {
    const match = authorization === null ? null : /^Bearer +(\S+) *$/i.exec(authorization);
    // Hash something even without a credential, so a missing header costs the same.
    const presented = await sha256(match?.[1] ?? "");
    return equalDigests(presented, await expected) && match !== null;
  };
}
