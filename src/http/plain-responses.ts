/**
 * The short `text/plain` answers every route shares. Errors are never HTML: Juju (and any
 * script) must see a real status, and nobody should mistake one for a page.
 */

/** Seconds a client should wait after a 503 before asking again. */
export const RETRY_AFTER_SECONDS = 10;

export function plainText(
  status: number,
  text: string,
  extra: Record<string, string> = {},
): Response {
  return new Response(`${text}\n`, {
    status,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      ...extra,
    },
  });
}

export function notFound(): Response {
  return plainText(404, "404 Not Found");
}

export function methodNotAllowed(allow: string): Response {
  return plainText(405, "405 Method Not Allowed", { allow });
}

export function storeUnavailable(): Response {
  return plainText(503, "503 Service Unavailable: the object store did not answer", {
    "retry-after": String(RETRY_AFTER_SECONDS),
  });
}
