/**
 * Hostile clients against a real `streamgate serve` on loopback (and, for thousands of
 * token guesses, the same app with a roomier rate limit): traversal in every spelling,
 * malformed and multiple ranges, every other method, missing and forged admin tokens, and
 * a flood of `/admin/sync`. Every request gets an answer, none is a 5xx, nothing outside
 * the published tree leaks, and the server is still healthy at the end.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeUpstream } from "../../scripts/make-upstream.ts";
import { createApp, createTokenBucket } from "../../src/http/index.ts";
import { createFsStore } from "../../src/store/fs.ts";
import { runAgentsSync } from "../../src/sync/index.ts";
import { listenOnLoopback } from "../support/listen.ts";
import { agentsConfig, fileUpstream, fixtureKey } from "../sync/support.ts";
import { type ServeChild, startServe } from "./children.ts";
import { reportFigures } from "./figures.ts";
import { type RawResponse, rawRequest } from "./raw-http.ts";
import { type SuiteContext, suiteContext, workDir } from "./suite-context.ts";

const TARBALL = "/juju/tools/agent/3.6.9/juju-3.6.9-linux-amd64.tgz";
const INDEX = "/juju/tools/streams/v1/index2.json";
const FLOOD = 100;
const GUESSES = 1000;

let context: SuiteContext;
let root: string;
let served: ServeChild;
let tarballSize: number;
const seen = new Map<number, number>();

function tally(response: { status: number }): void {
  seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
}

async function raw(head: string): Promise<RawResponse> {
  const response = await rawRequest(served.url, head);
  tally(response);
  return response;
}

async function fetched(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(`${served.url}${path}`, init);
  tally(response);
  return response;
}

beforeAll(async () => {
  context = suiteContext();
  const dir = join(workDir(context), "hostile-clients");
  root = join(dir, "store");
  await mkdir(dir, { recursive: true });
  const fixture = await makeUpstream({
    out: join(dir, "upstream", "juju", "tools"),
    signingKey: await fixtureKey(),
    versions: ["3.6.9"],
    arches: ["amd64"],
  });
  tarballSize = fixture.tarballs.find((tarball) => `/juju/tools/${tarball.path}` === TARBALL)
    ?.size as number;
  const store = createFsStore({ root });
  await runAgentsSync({ store, upstream: fileUpstream(fixture), config: agentsConfig({}) });
  await writeFile(join(dir, "streamgate.yaml"), `store: file:${root}\n`);
  served = await startServe(context, ["--config", join(dir, "streamgate.yaml")], {
    label: "hostile-clients-serve",
    cwd: dir,
  });
});

afterAll(async () => {
  const stopped = await served?.stop();
  expect(stopped?.code).toBe(0);
  expect(stopped?.stderr).not.toMatch(/unexpected error/);
});

/**
 * Dot segments that stay inside the tree. The URL parser (Node's, and Workers') resolves
 * `.`, `..` and `%2e` segments before the app sees the path, like nginx does: these may
 * answer the object they resolve to, or 400 — never anything outside.
 */
const INSIDE: [path: string, resolved: string][] = [
  ["/juju/tools/./streams/v1/index2.json", INDEX],
  ["/juju/tools/streams/v1/%2e/index2.json", INDEX],
  ["/juju/tools/streams/x/../v1/index2.json", INDEX],
  ["/juju/tools/streams/x/%2e%2e/v1/index2.json", INDEX],
  ["/juju/tools/streams/v1/index2.json/..", "/juju/tools/streams/v1/"],
];

/** Everything here must answer 400, 404 or 414. */
const TRAVERSALS = [
  "/juju/tools/../../../../etc/passwd",
  "/juju/tools/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
  "/juju/tools/%2E%2E/%2e%2E/etc/passwd",
  "/juju/tools/%252e%252e/%252e%252e/etc/passwd",
  "/juju/tools/..%2f..%2f..%2fetc%2fpasswd",
  "/juju/tools/..%5c..%5c..%5cetc%5cpasswd",
  "/juju/tools/..\\..\\..\\etc\\passwd",
  "/juju/tools/streams%00/v1/index2.json",
  "/juju/tools/streams\u0000/v1/index2.json",
  "/.streamgate/lock/agents",
  "/.streamgate/state/agents.json",
  "/juju/tools/%2estreamgate/../../.streamgate/state/agents.json",
  "/%2e/.streamgate/fs/meta",
  "//etc/passwd",
  `/juju/tools/${"a/".repeat(5_000)}`,
  `/${"x".repeat(10 * 1024)}`,
];

describe("hostile clients against streamgate serve", () => {
  it("answers every traversal spelling with 400, 404 or 414 and leaks nothing", async () => {
    for (const path of TRAVERSALS) {
      const response = await raw(`GET ${path} HTTP/1.1`);
      expect([400, 404, 414], path.slice(0, 60)).toContain(response.status);
      expect(response.body).not.toMatch(/root:|"owner"|"expiresAt"|"generation"/);
    }
    for (const [path, resolved] of INSIDE) {
      const response = await raw(`GET ${path} HTTP/1.1`);
      expect([200, 400], path).toContain(response.status);
      if (response.status === 200) {
        const canonical = await raw(`GET ${resolved} HTTP/1.1`);
        expect(response.headers["content-type"], path).toBe(canonical.headers["content-type"]);
        // The browse page shows times; compare the bytes of objects only.
        if (!canonical.headers["content-type"]?.startsWith("text/html")) {
          expect(response.body, path).toBe(canonical.body);
        }
      }
    }
  });

  it("answers bad, oversized and multiple ranges with 200, 206 or 416 — never a 5xx", async () => {
    const ranges: [string, number][] = [
      ["Range: bytes=abc", 200],
      ["Range: bytes=5-1", 200],
      ["Range: bytes=0-1,5-6", 200],
      ["Range: bytes=0-1\r\nRange: bytes=5-6", 200],
      ["Range: items=0-1", 200],
      ["Range: bytes=0-99999999999999999999999", 200],
      [`Range: bytes=${"0".repeat(10_000)}-1`, 206],
      [`Range: bytes=0-1${",2-3".repeat(2_000)}`, 200],
      ["Range: bytes=999999999-", 416],
      ["Range: bytes=-0", 416],
      ["Range: bytes=0-9", 206],
      ["Range: bytes=-10", 206],
    ];
    for (const [header, status] of ranges) {
      const response = await raw(`GET ${TARBALL} HTTP/1.1\r\n${header}`);
      expect(response.status, header.slice(0, 60)).toBe(status);
      if (status === 200) expect(Number(response.headers["content-length"])).toBe(tarballSize);
      if (status === 416) expect(response.headers["content-range"]).toBe(`bytes */${tarballSize}`);
    }
  });

  it("answers every other method with 405 and Allow, and unknown ones with 400", async () => {
    for (const method of [
      "POST",
      "PUT",
      "DELETE",
      "PATCH",
      "OPTIONS",
      "TRACE",
      "PROPFIND",
      "MKCOL",
    ]) {
      for (const path of [INDEX, TARBALL, "/status", "/healthz", "/metrics", "/"]) {
        const response = await raw(`${method} ${path} HTTP/1.1\r\nContent-Length: 0`);
        expect(response.status, `${method} ${path}`).toBe(405);
        expect(response.headers.allow, `${method} ${path}`).toBe("GET, HEAD");
      }
    }
    expect((await raw(`BREW ${INDEX} HTTP/1.1`)).status).toBe(400);
  });

  it("answers missing and forged admin tokens 401, identically, then 429 for the flood", async () => {
    const forged = [
      undefined,
      "Bearer",
      "Bearer ",
      "Bearer wrong",
      `Bearer ${context.secrets.adminToken}x`,
      `Bearer ${context.secrets.adminToken.slice(0, -1)}`,
      `Basic ${Buffer.from(`admin:${context.secrets.adminToken}`).toString("base64")}`,
      context.secrets.adminToken,
      `Token ${context.secrets.adminToken}`,
      `Bearer ${"A".repeat(8_000)}`,
    ];
    const answers: string[] = [];
    for (const authorization of forged) {
      const response = await fetched("/admin/sync?job=agents", {
        method: "POST",
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(response.status).toBe(401);
      answers.push(
        `${response.headers.get("www-authenticate")} ${response.headers.get("content-type")} ${await response.text()}`,
      );
    }
    expect(new Set(answers).size).toBe(1);

    // The bucket (10 a minute per process) is empty now: the right token waits too.
    const flood = await Promise.all(
      Array.from({ length: FLOOD }, (_, index) =>
        fetched("/admin/sync", {
          method: "POST",
          headers: {
            authorization: `Bearer ${index % 2 === 0 ? context.secrets.adminToken : "guess"}`,
          },
        }),
      ),
    );
    const limited = flood.filter((response) => response.status === 429);
    expect(limited).toHaveLength(FLOOD);
    expect(Number(limited[0]?.headers.get("retry-after"))).toBeGreaterThan(0);
    await Promise.all(flood.map((response) => response.body?.cancel()));
  });

  it("is still healthy and answered no request with a 5xx", async () => {
    expect((await fetched("/healthz")).status).toBe(200);
    expect((await fetched(INDEX)).status).toBe(200);
    const fivexx = [...seen].filter(([status]) => status >= 500);
    const total = [...seen].reduce((sum, [, count]) => sum + count, 0);
    const statuses = [...seen]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${count}×${status}`)
      .join(", ");
    reportFigures(
      "hostile-clients",
      `${total} requests to streamgate serve (${statuses}), ${fivexx.length} 5xx, server healthy after`,
    );
    expect(fivexx).toEqual([]);
    expect(served.child.process.exitCode).toBeNull();
  });
});

describe("thousands of forged admin tokens against the app with a roomy rate limit", () => {
  it("answers every guess 401 with the same response, and the right token 202", async () => {
    const triggered: string[] = [];
    const app = createApp({
      store: createFsStore({ root }),
      adminToken: context.secrets.adminToken,
      adminRateLimit: createTokenBucket({ capacity: GUESSES + 10, refillMs: 60_000 }),
      logError: () => undefined,
      triggerSync: async (job) => {
        triggered.push(job ?? "all");
        return { started: true, message: "started" };
      },
    });
    const { baseUrl: origin, close } = await listenOnLoopback(app);
    try {
      const token = context.secrets.adminToken;
      const guess = (index: number) => {
        switch (index % 4) {
          case 0:
            return `Bearer ${token.slice(0, index % token.length)}`;
          case 1:
            return `Bearer ${token.slice(0, -1)}${String.fromCharCode(65 + (index % 26))}`;
          case 2:
            return `Bearer ${index.toString(36).repeat(1 + (index % 40))}`;
          default:
            return `bearer ${token.toUpperCase()}`;
        }
      };
      const answers = new Map<string, number>();
      for (let start = 0; start < GUESSES; start += 50) {
        const batch = await Promise.all(
          Array.from({ length: 50 }, async (_, offset) => {
            const response = await fetch(`${origin}/admin/sync`, {
              method: "POST",
              headers: { authorization: guess(start + offset) },
            });
            const headers = [...response.headers].filter(([name]) => name !== "date");
            return `${response.status} ${JSON.stringify(headers)} ${await response.text()}`;
          }),
        );
        for (const answer of batch) answers.set(answer, (answers.get(answer) ?? 0) + 1);
      }
      const right = await fetch(`${origin}/admin/sync?job=agents`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
      reportFigures(
        "admin-token-guesses",
        `${GUESSES} forged tokens, ${answers.size} distinct response(s) (${[...answers.values()].join("")}× 401), right token → ${right.status}, ${triggered.length} sync(s) triggered`,
      );
      expect([...answers.keys()]).toHaveLength(1);
      expect([...answers.keys()][0]).toMatch(/^401 /);
      expect(right.status).toBe(202);
      expect(triggered).toEqual(["agents"]);
    } finally {
      await close();
    }
  });
});
