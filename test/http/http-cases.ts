/**
 * HTTP behaviour every deployment of streamgate must show, driven only through `fetch`
 * and web APIs so the same cases run against a real Node server (node-server.test.ts) and
 * inside workerd against R2, where the server is the Worker itself. No `node:` imports.
 *
 * Not a test file on its own: a runtime's test file calls `runHttpCases`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AGENT_INDEX,
  AGENT_INDEX_KEY,
  HTTP_CASE_SEED,
  IMAGE_INDEX_KEY,
  type SeedObjects,
  SIGNED_IMAGE_INDEX_KEY,
  seedSize,
  TARBALL,
  TARBALL_KEY,
  TARBALL_SIZE,
} from "./case-seed.ts";

export type { SeedObjects } from "./case-seed.ts";

/** The token the admin cases send; `start` must configure the app with it when asked. */
export const HTTP_CASE_ADMIN_TOKEN = "case-admin-token-3f9c1e";

export interface StartOptions {
  /** Objects to put in the store before serving (internal `.streamgate/` keys included). */
  seed: SeedObjects;
  /** The store must throw `StoreError` on every call (backend down). */
  failing: boolean;
  /**
   * The app's admin token, or `undefined` for an app without one. The app's `triggerSync`
   * must answer `{ started: true }` for `agents` and `{ started: false }` (already
   * running) for `images`.
   */
  adminToken: string | undefined;
}

export interface StartedServer {
  /** Origin without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  baseUrl: string;
  close(): Promise<void>;
}

export interface HttpCaseOptions {
  /** Shown in the suite title, e.g. `node-server` or `workerd + R2`. */
  name: string;
  /** Starts a server for one scenario; called at most three times (normal, failing, no admin). */
  start(options: StartOptions): Promise<StartedServer>;
  /** The `fetch` to use; default the global one (Workers tests pass `SELF.fetch`). */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /**
   * Whether `fetch` undoes `Content-Encoding` as a client's fetch does (default true); one
   * that hands requests straight to the app gets the encoded bytes, which the cases then
   * decode once — never more, so a body encoded twice fails.
   */
  fetchDecodes?: boolean;
  /**
   * Cases this runtime cannot run, by exact title, each with the reason (shown in the
   * skip). A title that names no case throws, so a renamed case cannot be skipped silently.
   * When every case of a scenario is skipped its server is never started — e.g. a Workers
   * run that cannot make R2 fail skips "answers 503 with Retry-After, never 404, when the
   * store fails" (or serves that scenario from a second Worker whose store is
   * `createFailingStore()` from ./failing-store.ts).
   */
  skip?: Readonly<Record<string, string>>;
}

const IDENTITY = { "accept-encoding": "identity" };

async function bytesOf(response: Response): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await response.arrayBuffer());
}

/** The body as text, gzip undone exactly once whoever undoes it. */
async function decodedText(response: Response, fetchDecodes: boolean): Promise<string> {
  if (fetchDecodes || response.body === null) return response.text();
  return new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).text();
}

function expectPlainText(response: Response): void {
  expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
}

export function runHttpCases(options: HttpCaseOptions): void {
  const doFetch = options.fetch ?? ((input: string, init?: RequestInit) => fetch(input, init));
  const skip = options.skip ?? {};
  const titles = new Set<string>();

  type Get = (path: string, init?: RequestInit) => Promise<Response>;

  /**
   * A server for one scenario, started before its cases and closed after them — unless
   * the runtime skips every case of the scenario, so a runtime that cannot simulate a
   * failing store is never asked to start one.
   */
  function scenario(start: StartOptions): {
    get: Get;
    test: (title: string, body: () => Promise<void>) => void;
  } {
    let server: StartedServer | undefined;
    let active = 0;
    beforeAll(async () => {
      if (active > 0) server = await options.start(start);
    });
    afterAll(async () => {
      await server?.close();
    });
    return {
      get(path, init) {
        if (server === undefined) throw new Error("server did not start");
        return doFetch(`${server.baseUrl}${path}`, init);
      },
      /** `it`, or a skip that carries its reason, for the cases a runtime opts out of. */
      test(title, body) {
        titles.add(title);
        const reason = skip[title];
        if (reason === undefined) {
          active += 1;
          it(title, body);
        } else {
          it.skip(`${title} (skipped: ${reason})`, body);
        }
      },
    };
  }

  describe(`HTTP cases: ${options.name}`, () => {
    describe("serving the tree", () => {
      const { get, test } = scenario({
        seed: HTTP_CASE_SEED,
        failing: false,
        adminToken: HTTP_CASE_ADMIN_TOKEN,
      });

      test("serves a tarball whole, byte for byte, with an immutable cache policy", async () => {
        const response = await get(`/${TARBALL_KEY}`, { headers: IDENTITY });
        expect(response.status).toBe(200);
        expect(response.headers.get("content-length")).toBe(String(TARBALL_SIZE));
        expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
        expect(response.headers.get("accept-ranges")).toBe("bytes");
        expect(response.headers.get("x-content-type-options")).toBe("nosniff");
        expect(response.headers.get("etag")).toMatch(/^"[^"]+"$/);
        expect(response.headers.get("last-modified")).not.toBeNull();
        expect(await bytesOf(response)).toEqual(TARBALL);
      });

      test("never gzips a tarball, even when the client accepts gzip", async () => {
        const response = await get(`/${TARBALL_KEY}`, { headers: { "accept-encoding": "gzip" } });
        expect(response.status).toBe(200);
        expect(response.headers.get("content-encoding")).toBeNull();
        expect(await bytesOf(response)).toEqual(TARBALL);
      });

      test("serves JSON uncompressed with a short cache policy when gzip is not asked for", async () => {
        const response = await get(`/${AGENT_INDEX_KEY}`, { headers: IDENTITY });
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toMatch(/^application\/json/);
        expect(response.headers.get("cache-control")).toBe("public, max-age=60, must-revalidate");
        expect(response.headers.get("content-encoding")).toBeNull();
        expect(response.headers.get("content-length")).toBe(
          String(seedSize(HTTP_CASE_SEED, AGENT_INDEX_KEY)),
        );
        expect(response.headers.get("vary")).toMatch(/accept-encoding/i);
        expect(JSON.parse(await response.text())).toEqual(AGENT_INDEX);
      });

      test("gzips JSON when the client accepts gzip", async () => {
        const response = await get(`/${AGENT_INDEX_KEY}`, {
          headers: { "accept-encoding": "gzip" },
        });
        expect(response.status).toBe(200);
        expect(response.headers.get("content-encoding")).toBe("gzip");
        expect(response.headers.get("vary")).toMatch(/accept-encoding/i);
        const text = await decodedText(response, options.fetchDecodes ?? true);
        expect(JSON.parse(text)).toEqual(AGENT_INDEX);
      });

      test("labels .sjson as text with a short cache policy", async () => {
        const response = await get(`/${SIGNED_IMAGE_INDEX_KEY}`, { headers: IDENTITY });
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
        expect(response.headers.get("cache-control")).toBe("public, max-age=60, must-revalidate");
        expect(await response.text()).toBe(HTTP_CASE_SEED[SIGNED_IMAGE_INDEX_KEY]);
      });

      test("answers HEAD with the GET headers, the length and no body", async () => {
        const response = await get(`/${TARBALL_KEY}`, { method: "HEAD", headers: IDENTITY });
        expect(response.status).toBe(200);
        expect(response.headers.get("content-length")).toBe(String(TARBALL_SIZE));
        expect(response.headers.get("etag")).toMatch(/^"[^"]+"$/);
        expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
        expect(await response.text()).toBe("");
      });

      test("answers HEAD of a missing file with 404", async () => {
        const response = await get("/juju/tools/streams/v1/mirrors.sjson", { method: "HEAD" });
        expect(response.status).toBe(404);
      });

      for (const missing of [
        "/juju/tools/streams/v1/mirrors.sjson",
        "/juju/tools/streams/v1/mirrors.json",
        "/juju/tools/streams/v1/index2.sjson",
        "/images/streams/v1/mirrors.json",
        "/juju/tools/agent/9.9.9/juju-9.9.9-ubuntu-amd64.tgz",
      ]) {
        test(`answers a missing ${missing} with a plain-text 404`, async () => {
          const response = await get(missing);
          expect(response.status).toBe(404);
          expectPlainText(response);
          expect(await response.text()).not.toMatch(/<html/i);
        });
      }

      test("answers a directory-like path with nothing below it with a plain 404, never a page", async () => {
        for (const path of ["/nothing/", "/juju/tools/nothing/", `/${TARBALL_KEY}/`]) {
          const response = await get(path);
          expect(response.status, path).toBe(404);
          expectPlainText(response);
        }
      });

      test("lists a directory that has objects below it as HTML", async () => {
        const response = await get("/juju/tools/");
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toMatch(/^text\/html/);
        expect(await response.text()).toContain('href="/juju/tools/agent/"');
      });

      test("shows the browse page at /", async () => {
        const response = await get("/");
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toMatch(/^text\/html/);
        const page = await response.text();
        expect(page).toMatch(/^<!doctype html>/i);
        expect(page).toContain("agent-metadata-url=");
        expect(page).toContain("3.6.1");
        expect(page).toContain("RegionOne");
      });

      test("never serves paths with a segment starting with a dot", async () => {
        for (const path of [
          "/.streamgate/state/agents.json",
          "/%2estreamgate/state/agents.json",
          "/.streamgate/",
          "/.git/config",
          "/juju/.hidden",
        ]) {
          const response = await get(path);
          expect(response.status, path).toBe(404);
          expectPlainText(response);
        }
      });

      // `/../` and `/%2e%2e/` are resolved by the client's URL parser before anything is
      // sent; these are the traversal spellings that reach the server.
      test("rejects encoded traversal, encoded slashes, backslashes and NUL with 400", async () => {
        for (const path of [
          "/juju/tools/%2e%2e%2f%2e%2e%2f.streamgate/state/agents.json",
          "/juju/..%2f..%2f.streamgate/state/agents.json",
          "/juju%2ftools/streams/v1/index2.json",
          "/juju/tools/%252e%252e/index2.json",
          "/juju/tools/%5c..%5cindex2.json",
          "/juju/tools/a%00b",
        ]) {
          const response = await get(path);
          expect(response.status, path).toBe(400);
          expectPlainText(response);
        }
      });

      test("rejects an overlong path with 414", async () => {
        const response = await get(`/juju/${"a".repeat(2000)}`);
        expect([400, 414]).toContain(response.status);
      });

      test("refuses other methods with 405 and Allow", async () => {
        for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
          const response = await get(`/${AGENT_INDEX_KEY}`, { method, body: "x" });
          expect(response.status, method).toBe(405);
          expect(response.headers.get("allow")).toBe("GET, HEAD");
          await response.arrayBuffer();
        }
        const health = await get("/healthz", { method: "POST" });
        expect(health.status).toBe(405);
        expect(health.headers.get("allow")).toBe("GET, HEAD");
      });

      test("answers a single range with 206 and Content-Range", async () => {
        const response = await get(`/${TARBALL_KEY}`, { headers: { range: "bytes=100-199" } });
        expect(response.status).toBe(206);
        expect(response.headers.get("content-range")).toBe(`bytes 100-199/${TARBALL_SIZE}`);
        expect(response.headers.get("content-length")).toBe("100");
        expect(await bytesOf(response)).toEqual(TARBALL.slice(100, 200));
      });

      test("answers suffix and open-ended ranges", async () => {
        const suffix = await get(`/${TARBALL_KEY}`, { headers: { range: "bytes=-10" } });
        expect(suffix.status).toBe(206);
        expect(suffix.headers.get("content-range")).toBe(
          `bytes ${TARBALL_SIZE - 10}-${TARBALL_SIZE - 1}/${TARBALL_SIZE}`,
        );
        expect(await bytesOf(suffix)).toEqual(TARBALL.slice(-10));
        const open = await get(`/${TARBALL_KEY}`, { headers: { range: "bytes=70000-" } });
        expect(open.status).toBe(206);
        expect(open.headers.get("content-range")).toBe(
          `bytes 70000-${TARBALL_SIZE - 1}/${TARBALL_SIZE}`,
        );
        expect(await bytesOf(open)).toEqual(TARBALL.slice(70000));
      });

      test("answers an unsatisfiable range with 416 and the size", async () => {
        const response = await get(`/${TARBALL_KEY}`, {
          headers: { range: `bytes=${TARBALL_SIZE}-` },
        });
        expect(response.status).toBe(416);
        expect(response.headers.get("content-range")).toBe(`bytes */${TARBALL_SIZE}`);
        await response.arrayBuffer();
      });

      test("ignores several ranges or a malformed Range and sends the whole body", async () => {
        for (const range of ["bytes=0-9,20-29", "bytes=9-0", "items=0-9", "bytes=abc"]) {
          const response = await get(`/${TARBALL_KEY}`, { headers: { range } });
          expect(response.status, range).toBe(200);
          expect((await bytesOf(response)).byteLength, range).toBe(TARBALL_SIZE);
        }
      });

      test("never gzips a ranged JSON response", async () => {
        const response = await get(`/${AGENT_INDEX_KEY}`, {
          headers: { range: "bytes=0-9", "accept-encoding": "gzip" },
        });
        expect(response.status).toBe(206);
        expect(response.headers.get("content-encoding")).toBeNull();
        expect(await response.text()).toBe(
          (HTTP_CASE_SEED[AGENT_INDEX_KEY] as string).slice(0, 10),
        );
      });

      test("answers 304 when If-None-Match holds the etag, in a list or as *", async () => {
        const first = await get(`/${TARBALL_KEY}`, { method: "HEAD" });
        const etag = first.headers.get("etag") ?? "";
        for (const ifNoneMatch of [etag, `"other", ${etag}`, "*"]) {
          const response = await get(`/${TARBALL_KEY}`, {
            headers: { "if-none-match": ifNoneMatch },
          });
          expect(response.status, ifNoneMatch).toBe(304);
          expect(response.headers.get("etag")).toBe(etag);
          expect(await response.text()).toBe("");
        }
        const changed = await get(`/${TARBALL_KEY}`, { headers: { "if-none-match": '"other"' } });
        expect(changed.status).toBe(200);
        await changed.arrayBuffer();
      });

      test("answers 304 for a gzipped JSON revalidated with its weak etag", async () => {
        const first = await get(`/${AGENT_INDEX_KEY}`, { headers: { "accept-encoding": "gzip" } });
        const etag = first.headers.get("etag") ?? "";
        await first.arrayBuffer();
        const response = await get(`/${AGENT_INDEX_KEY}`, {
          headers: { "accept-encoding": "gzip", "if-none-match": etag },
        });
        expect(response.status).toBe(304);
      });

      test("answers 304 for If-Modified-Since only without If-None-Match", async () => {
        const first = await get(`/${IMAGE_INDEX_KEY}`, { method: "HEAD" });
        const lastModified = first.headers.get("last-modified") ?? "";
        const cached = await get(`/${IMAGE_INDEX_KEY}`, {
          headers: { "if-modified-since": lastModified },
        });
        expect(cached.status).toBe(304);
        const stale = await get(`/${IMAGE_INDEX_KEY}`, {
          headers: { "if-modified-since": "Thu, 01 Jan 1970 00:00:00 GMT" },
        });
        expect(stale.status).toBe(200);
        await stale.arrayBuffer();
        const overridden = await get(`/${IMAGE_INDEX_KEY}`, {
          headers: { "if-modified-since": lastModified, "if-none-match": '"other"' },
        });
        expect(overridden.status).toBe(200);
        await overridden.arrayBuffer();
      });

      test("answers /healthz, /readyz, /status and /metrics", async () => {
        const health = await get("/healthz");
        expect(health.status).toBe(200);
        expect((await health.text()).trim()).toBe("ok");
        const ready = await get("/readyz");
        expect(ready.status).toBe(200);
        await ready.arrayBuffer();
        const status = await get("/status");
        expect(status.status).toBe(200);
        const document = (await status.json()) as {
          jobs: Record<string, { generation: number } | null>;
          store: { name: string };
          version: string;
        };
        expect(document.jobs.agents?.generation).toBe(3);
        // Never run (null) or not configured (absent) here, depending on the runtime's config.
        expect(document.jobs.images ?? null).toBeNull();
        expect(typeof document.store.name).toBe("string");
        expect(typeof document.version).toBe("string");
        const metrics = await get("/metrics");
        expect(metrics.status).toBe(200);
        expect(metrics.headers.get("content-type")).toMatch(/^text\/plain/);
        expect(await metrics.text()).toMatch(/^streamgate_http_requests_total\{code="200"\} \d+$/m);
      });

      test("guards POST /admin/sync with the bearer token", async () => {
        const bare = await get("/admin/sync", { method: "POST" });
        expect(bare.status).toBe(401);
        expect(bare.headers.get("www-authenticate")).toMatch(/^Bearer/);
        await bare.arrayBuffer();
        const wrong = await get("/admin/sync", {
          method: "POST",
          headers: { authorization: `Bearer ${HTTP_CASE_ADMIN_TOKEN}x` },
        });
        expect(wrong.status).toBe(401);
        await wrong.arrayBuffer();
      });

      test("starts a sync with 202, reports a running one with 409, refuses unknown jobs", async () => {
        const authorization = `Bearer ${HTTP_CASE_ADMIN_TOKEN}`;
        const started = await get("/admin/sync?job=agents", {
          method: "POST",
          headers: { authorization },
        });
        expect(started.status).toBe(202);
        expect(((await started.json()) as { started: boolean }).started).toBe(true);
        const running = await get("/admin/sync?job=images", {
          method: "POST",
          headers: { authorization },
        });
        expect(running.status).toBe(409);
        await running.arrayBuffer();
        const unknown = await get("/admin/sync?job=bogus", {
          method: "POST",
          headers: { authorization },
        });
        expect(unknown.status).toBe(400);
        await unknown.arrayBuffer();
      });
    });

    describe("without an admin token", () => {
      const { get, test } = scenario({
        seed: HTTP_CASE_SEED,
        failing: false,
        adminToken: undefined,
      });

      test("answers every /admin path with 404", async () => {
        for (const path of ["/admin/sync", "/admin/sync?job=agents"]) {
          const response = await get(path, {
            method: "POST",
            headers: { authorization: `Bearer ${HTTP_CASE_ADMIN_TOKEN}` },
          });
          expect(response.status, path).toBe(404);
          await response.arrayBuffer();
        }
      });
    });

    describe("with a failing store", () => {
      const { get, test } = scenario({ seed: {}, failing: true, adminToken: undefined });

      test("answers 503 with Retry-After, never 404, when the store fails", async () => {
        for (const [path, method] of [
          [`/${TARBALL_KEY}`, "GET"],
          [`/${TARBALL_KEY}`, "HEAD"],
          ["/juju/tools/streams/v1/mirrors.sjson", "GET"],
          ["/juju/tools/", "GET"],
          ["/", "GET"],
          ["/status", "GET"],
          ["/readyz", "GET"],
        ] as const) {
          const response = await get(path, { method });
          expect(response.status, `${method} ${path}`).toBe(503);
          expect(response.headers.get("retry-after"), path).toMatch(/^\d+$/);
          if (method === "GET") expectPlainText(response);
          await response.arrayBuffer();
        }
        const health = await get("/healthz");
        expect(health.status).toBe(200);
        await health.arrayBuffer();
      });
    });

    for (const title of Object.keys(skip)) {
      if (!titles.has(title))
        throw new Error(`runHttpCases: no case is titled ${JSON.stringify(title)}`);
    }
  });
}
