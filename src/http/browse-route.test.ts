import { generateKey } from "openpgp";
import { describe, expect, it } from "vitest";
import {
  AGENT_PRODUCTS,
  AGENT_PRODUCTS_KEY,
  AGENTS_STATE,
  AGENTS_STATE_KEY,
  HTTP_CASE_SEED,
  SIGNED_IMAGE_INDEX_KEY,
} from "../../test/http/case-seed.ts";
import { readFixture } from "../../test/http/fixture-files.ts";
import { seededApp } from "../../test/http/seeded-app.ts";
import type { JobState } from "../scheduler/job-state.ts";

const CLOUD_IMAGES_KEY = readFixture("cloud-images.pub");

async function page(
  app: { request: (path: string, init?: RequestInit) => Promise<Response> | Response },
  path = "/",
  init?: RequestInit,
) {
  const response = await app.request(path, init);
  return { response, text: await response.text() };
}

function withoutKey(seed: Record<string, string | Uint8Array>, key: string) {
  const { [key]: _, ...rest } = seed;
  return rest;
}

describe("browse page at /", () => {
  it("is server-rendered HTML with a strict CSP, never cached", async () => {
    const { app } = await seededApp();
    const { response, text } = await page(app);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(text).not.toMatch(/<script/i);
  });

  it("shows mirrored agent streams, versions, arches and sizes", async () => {
    const { app } = await seededApp();
    const { text } = await page(app);
    expect(text).toContain("released");
    expect(text).toContain("3.6.1");
    expect(text).toContain("amd64");
    expect(text).toContain("146 KiB");
  });

  it("orders versions the way Juju does, newest first", async () => {
    const products = structuredClone(AGENT_PRODUCTS) as {
      products: Record<string, { versions: Record<string, { items: Record<string, unknown> }> }>;
    };
    const version = products.products["com.ubuntu.juju:ubuntu:amd64"]?.versions["20261123"];
    const template = version?.items["3.6.1-ubuntu-amd64"] as Record<string, unknown>;
    for (const number of ["3.6.10", "3.6.9", "3.7-beta1"]) {
      (version as { items: Record<string, unknown> }).items[`${number}-ubuntu-amd64`] = {
        ...template,
        version: number,
      };
    }
    const { app } = await seededApp(
      {},
      {
        ...HTTP_CASE_SEED,
        [AGENT_PRODUCTS_KEY]: JSON.stringify(products),
      },
    );
    const { text } = await page(app);
    expect(text).toContain("3.7-beta1, 3.6.10, 3.6.9, 3.6.1");
  });

  it("reports a product file Juju would refuse instead of failing", async () => {
    const { app } = await seededApp({}, { ...HTTP_CASE_SEED, [AGENT_PRODUCTS_KEY]: "{ not json" });
    const { response, text } = await page(app);
    expect(response.status).toBe(200);
    expect(text).toContain('class="failed"');
    expect(text).toContain(AGENT_PRODUCTS_KEY);
  });

  it("shows image regions with their endpoint and image count", async () => {
    const { app } = await seededApp();
    const { text } = await page(app);
    expect(text).toMatch(
      /<td>RegionOne<\/td><td><code>https:\/\/keystone\.example\.com:5000\/v3<\/code><\/td><td class="num">1<\/td><td>24\.04 amd64<\/td>/,
    );
  });

  it("shows the last sync of each job and says which never ran or are not configured", async () => {
    const { app } = await seededApp({ jobs: ["agents"] });
    const { text } = await page(app);
    expect(text).toContain('<td class="ok">ok</td>');
    expect(text).toContain("generation 3");
    expect(text).toContain("copied 1");
    expect(text).toContain("not configured");
    const both = await seededApp({ jobs: ["agents", "images"] });
    expect((await page(both.app)).text).toContain("never run");
  });

  it("shows a failed job's error, escaped, and its last success", async () => {
    const failed: JobState = {
      ...AGENTS_STATE,
      lastSuccess: AGENTS_STATE.lastRun,
      lastRun: {
        startedAt: "2026-11-24T00:00:00.000Z",
        finishedAt: "2026-11-24T00:00:05.000Z",
        outcome: "failed",
        durationMs: 5000,
        counts: {},
        bytes: 0,
        errors: ["upstream answered <html>503</html>"],
      },
    };
    const { app } = await seededApp(
      {},
      {
        ...HTTP_CASE_SEED,
        [AGENTS_STATE_KEY]: JSON.stringify(failed),
      },
    );
    const { text } = await page(app);
    expect(text).toContain('<td class="failed">failed</td>');
    expect(text).toContain("upstream answered &lt;html&gt;503&lt;/html&gt;");
    expect(text).not.toContain("<html>503");
    expect(text).toContain("last success 2026-11-23 18:00 UTC");
    expect(text).toContain("The last agents sync failed");
  });

  it("shows the image key fingerprint read with openpgp", async () => {
    const { app } = await seededApp({}, { ...HTTP_CASE_SEED, "keys/images.asc": CLOUD_IMAGES_KEY });
    const { text } = await page(app);
    expect(text).toContain("4A3C E3CD 565D 7EB5 C810 E2B9 7FF3 F408 476C F100");
    expect(text).toContain("7FF3F408476CF100");
    expect(text).not.toContain("No image signing key");
  });

  it("warns when the image key is missing or the image metadata unsigned", async () => {
    const { app } = await seededApp({}, withoutKey(HTTP_CASE_SEED, SIGNED_IMAGE_INDEX_KEY));
    const { text } = await page(app);
    expect(text).toContain("No image signing key is published at /keys/images.asc");
    expect(text).toContain("Image metadata is unsigned");
  });

  it("warns about an unreadable key, a secret key and a key Juju cannot use", async () => {
    const { privateKey, publicKey } = await generateKey({
      type: "curve25519",
      userIDs: [{ name: "test" }],
      format: "armored",
    });
    const cases = [
      ["not a key", "is not a readable OpenPGP key"],
      [privateKey, "holds a SECRET key"],
      [publicKey, "Juju verifies RSA signatures only"],
    ] as const;
    for (const [armored, warning] of cases) {
      const { app } = await seededApp({}, { ...HTTP_CASE_SEED, "keys/images.asc": armored });
      expect((await page(app)).text, warning).toContain(warning);
    }
  });

  it("gives copy-paste Juju config for this origin", async () => {
    const { app } = await seededApp();
    const { text } = await page(app, "http://mirror.internal:8080/");
    expect(text).toContain("--config agent-metadata-url=http://mirror.internal:8080/juju/tools");
    expect(text).toContain("--config image-metadata-url=http://mirror.internal:8080/images");
    expect(text).toContain(
      "juju model-config agent-metadata-url=http://mirror.internal:8080/juju/tools image-metadata-url=http://mirror.internal:8080/images",
    );
    expect(text).toContain(
      "curl -fsSLo streamgate-images.asc http://mirror.internal:8080/keys/images.asc",
    );
    expect(text).toContain("JUJU_STREAMS_PUBLICKEY_FILE=");
  });

  it("takes the origin from publicUrl, else from X-Forwarded-* of a proxy", async () => {
    const configured = await seededApp({ publicUrl: "https://streams.example.com/" });
    expect((await page(configured.app)).text).toContain(
      "agent-metadata-url=https://streams.example.com/juju/tools",
    );
    const proxied = await seededApp();
    const { text } = await page(proxied.app, "/", {
      headers: { "x-forwarded-proto": "https", "x-forwarded-host": "mirror.example.com" },
    });
    expect(text).toContain("agent-metadata-url=https://mirror.example.com/juju/tools");
    const bogus = await page(proxied.app, "/", {
      headers: { "x-forwarded-proto": "javascript", "x-forwarded-host": 'a"><b>' },
    });
    expect(bogus.text).toContain("agent-metadata-url=http://localhost/juju/tools");
  });

  it("suggests agent-stream when only another stream is mirrored", async () => {
    const index = JSON.parse(HTTP_CASE_SEED["juju/tools/streams/v1/index2.json"] as string);
    index.index = {
      "com.ubuntu.juju:proposed:agents": index.index["com.ubuntu.juju:released:agents"],
    };
    const { app } = await seededApp(
      {},
      {
        ...HTTP_CASE_SEED,
        "juju/tools/streams/v1/index2.json": JSON.stringify(index),
      },
    );
    expect((await page(app)).text).toContain("--config agent-stream=proposed");
  });

  it("explains the first sync on an empty store", async () => {
    const { app } = await seededApp({ adminToken: "t" }, {});
    const { response, text } = await page(app);
    expect(response.status).toBe(200);
    expect(text).toContain("Nothing mirrored yet");
    expect(text).toContain("npx streamgate sync agents");
    expect(text).toContain("wait for the schedule");
    expect(text).toContain("/admin/sync?job=agents");
    expect(text).toContain("never run");
  });

  it("hides internal files from the listing", async () => {
    const { app } = await seededApp();
    const { text } = await page(app);
    expect(text).toContain('href="/juju/"');
    expect(text).toContain('href="/images/"');
    expect(text).not.toContain(".streamgate");
  });
});

describe("directory pages", () => {
  it("list one level with directories, files, sizes and links", async () => {
    const { app } = await seededApp();
    const { response, text } = await page(app, "/juju/tools/streams/v1/");
    expect(response.status).toBe(200);
    expect(text).toContain('href="/juju/tools/streams/v1/index2.json"');
    expect(text).toContain('href="/juju/tools/streams/v1/com.ubuntu.juju-released-agents.json"');
    const tools = await page(app, "/juju/tools/");
    expect(tools.text).toContain('href="/juju/tools/agent/"');
    expect(tools.text).toContain('href="/juju/tools/streams/"');
    expect(tools.text).toContain('href="/juju/"');
  });

  it("escape and encode file names", async () => {
    const { app } = await seededApp({}, { 'odd/<b>&"x y.json': "{}" });
    const { text } = await page(app, "/odd/");
    expect(text).toContain('href="/odd/%3Cb%3E%26%22x%20y.json"');
    expect(text).toContain("&lt;b&gt;&amp;&quot;x y.json");
    expect(text).not.toContain("<b>&");
  });

  it("are a plain 404 when nothing lives below the path, never a soft 404", async () => {
    const { app } = await seededApp();
    for (const path of ["/nothing/", "/juju/tool/", "/juju/tools/streams/v1/index2.json/"]) {
      const { response, text } = await page(app, path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
      expect(text).not.toContain("<");
    }
  });

  it("answer HEAD like GET without a body", async () => {
    const { app } = await seededApp();
    const found = await app.request("/juju/", { method: "HEAD" });
    expect(found.status).toBe(200);
    expect(await found.text()).toBe("");
    expect((await app.request("/nothing/", { method: "HEAD" })).status).toBe(404);
  });
});
