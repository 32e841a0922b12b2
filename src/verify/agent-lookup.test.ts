import { describe, expect, it } from "vitest";
import { renderJson } from "../core/index.ts";
import { clearsign } from "../signing/index.ts";
import { generateTestKey } from "../signing/test-support.ts";
import { lookupAgent, streamsSearched } from "./agent-lookup.ts";

const BASE = "http://mirror.test/juju/tools";
const UPDATED = "Mon, 23 Nov 2026 10:00:00 +0000";
const encoder = new TextEncoder();

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

type Served = Map<string, Response | (() => Response)>;

function fakeFetch(served: Served): typeof fetch {
  return (async (input: string | URL | Request) => {
    const path = String(input).slice(BASE.length + 1);
    const answer = served.get(path);
    if (answer === undefined) return new Response("not found", { status: 404 });
    return typeof answer === "function" ? answer() : answer.clone();
  }) as typeof fetch;
}

/** By default released 3.6.11/3.6.12 and proposed 3.6.13 for amd64, unsigned. */
async function tree(
  extension = ".json",
  streams: Record<string, string[]> = { released: ["3.6.11", "3.6.12"], proposed: ["3.6.13"] },
  clouds?: { region: string; endpoint: string }[],
) {
  const served: Served = new Map();
  const index: Record<string, unknown> = {};
  for (const [stream, versions] of Object.entries(streams)) {
    const items: Record<string, unknown> = {};
    for (const version of versions) {
      const path = `agent/${version}/juju-${version}-linux-amd64.tgz`;
      const bytes = encoder.encode(`agent ${version}`);
      served.set(path, new Response(bytes));
      items[`${version}-ubuntu-amd64`] = {
        release: "ubuntu",
        version,
        arch: "amd64",
        size: bytes.byteLength,
        path,
        ftype: "tar.gz",
        sha256: await sha256(bytes),
      };
    }
    const contentId = `com.ubuntu.juju:${stream}:agents`;
    const productPath = `streams/v1/com.ubuntu.juju-${stream}-agents${extension}`;
    served.set(
      productPath,
      new Response(
        renderJson({
          content_id: contentId,
          format: "products:1.0",
          updated: UPDATED,
          products: { "com.ubuntu.juju:ubuntu:amd64": { versions: { "20261123": { items } } } },
        }),
      ),
    );
    index[contentId] = {
      datatype: "content-download",
      format: "products:1.0",
      path: productPath,
      products: ["com.ubuntu.juju:ubuntu:amd64"],
      updated: UPDATED,
      ...(clouds === undefined ? {} : { clouds }),
    };
  }
  served.set(
    `streams/v1/index2${extension}`,
    new Response(renderJson({ format: "index:1.0", updated: UPDATED, index })),
  );
  return served;
}

async function signAll(served: Served, privateKey: string): Promise<void> {
  for (const [path, answer] of [...served]) {
    if (!path.endsWith(".sjson") || typeof answer === "function") continue;
    served.set(path, new Response(await clearsign(await answer.clone().text(), privateKey)));
  }
}

describe("streamsSearched", () => {
  it("searches proposed and released for proposed, and all three for devel", () => {
    expect(streamsSearched("released")).toEqual(["released"]);
    expect(streamsSearched("proposed")).toEqual(["proposed", "released"]);
    expect(streamsSearched("devel")).toEqual(["devel", "proposed", "released"]);
  });

  it("searches every stream for testing, and only itself for a stream Juju has no fallbacks for", () => {
    expect(streamsSearched("testing")).toEqual(["testing", "devel", "proposed", "released"]);
    expect(streamsSearched("nightly")).toEqual(["nightly"]);
  });
});

describe("lookupAgent", () => {
  it("picks the newest patch of the client's major.minor after the signed indexes 404", async () => {
    const result = await lookupAgent({
      baseUrl: BASE,
      jujuVersion: "3.6.0",
      arch: "amd64",
      fetch: fakeFetch(await tree()),
    });
    expect(result).toMatchObject({
      outcome: "found",
      version: "3.6.12",
      index: { path: "streams/v1/index2.json", signed: false },
      tarball: { path: "agent/3.6.12/juju-3.6.12-linux-amd64.tgz" },
    });
    expect(result.requests.slice(0, 4)).toEqual([
      { path: "streams/v1/index2.sjson", status: 404 },
      { path: "streams/v1/index.sjson", status: 404 },
      { path: "streams/v1/index2.json", status: 200 },
      { path: "streams/v1/mirrors.json", status: 404 },
    ]);
  });

  it("merges the streams an agent-stream searches", async () => {
    const result = await lookupAgent({
      baseUrl: BASE,
      jujuVersion: "3.6",
      arch: "amd64",
      stream: "proposed",
      fetch: fakeFetch(await tree()),
    });
    expect(result.outcome === "found" && result.version).toBe("3.6.13");
  });

  it("verifies a signed tree with the given key and refuses it with another", async () => {
    const served = await tree(".sjson");
    const [key, other] = await Promise.all([generateTestKey("mirror"), generateTestKey("other")]);
    await signAll(served, key.privateKey);
    const good = await lookupAgent({
      baseUrl: BASE,
      jujuVersion: "3.6",
      arch: "amd64",
      keys: key.publicKey,
      requireSigned: true,
      fetch: fakeFetch(served),
    });
    expect(good).toMatchObject({ outcome: "found", index: { signed: true } });
    const bad = await lookupAgent({
      baseUrl: BASE,
      jujuVersion: "3.6",
      arch: "amd64",
      keys: other.publicKey,
      fetch: fakeFetch(served),
    });
    expect(bad.outcome).toBe("broken");
    expect(bad.outcome !== "found" && bad.reason).toContain("streams/v1/index2.sjson");
  });

  it("falls back to the unsigned index when a signed one answers 403, and records why", async () => {
    const served = await tree();
    served.set("streams/v1/index2.sjson", () => new Response("", { status: 403 }));
    const fallback = await lookupAgent({
      baseUrl: BASE,
      jujuVersion: "3.6",
      arch: "amd64",
      fetch: fakeFetch(served),
    });
    expect(fallback).toMatchObject({
      outcome: "found",
      version: "3.6.12",
      index: { path: "streams/v1/index2.json", signed: false },
      skipped: [{ path: "streams/v1/index2.sjson", reason: expect.stringContaining("HTTP 403") }],
    });
    // Juju asks for the legacy index only after a real not-found.
    expect(fallback.requests.map((request) => request.path)).not.toContain(
      "streams/v1/index.sjson",
    );
    const signedOnly = await lookupAgent({
      baseUrl: BASE,
      jujuVersion: "3.6",
      arch: "amd64",
      requireSigned: true,
      fetch: fakeFetch(served),
    });
    expect(signedOnly).toMatchObject({
      outcome: "broken",
      path: "streams/v1/index2.sjson",
      reason: "streams/v1/index2.sjson answered HTTP 403",
    });
  });

  it.each([
    {
      what: "a soft 404: an HTML page with status 200",
      change: (served: Served) =>
        served.set("streams/v1/index2.json", () => new Response("<html>Not here</html>")),
      reason: "streams/v1/index2.json answered HTTP 200 with an HTML page",
    },
    {
      what: "an index that is not JSON",
      change: (served: Served) =>
        served.set("streams/v1/index2.json", () => new Response('{"index": ')),
      reason: "streams/v1/index2.json is not valid",
    },
    {
      what: "a mirrors file that fails",
      change: (served: Served) =>
        served.set("streams/v1/mirrors.json", () => new Response("", { status: 503 })),
      reason: "streams/v1/mirrors.json answered HTTP 503",
    },
    {
      what: "a tarball that is not what its item says",
      change: (served: Served) =>
        served.set("agent/3.6.12/juju-3.6.12-linux-amd64.tgz", () => new Response("tampered")),
      reason: "tarball agent/3.6.12/juju-3.6.12-linux-amd64.tgz has 8 bytes",
    },
    {
      what: "a tarball sent gzip-encoded",
      change: (served: Served) =>
        served.set(
          "agent/3.6.12/juju-3.6.12-linux-amd64.tgz",
          () => new Response("x", { headers: { "content-encoding": "gzip" } }),
        ),
      reason: "Content-Encoding",
    },
    {
      what: "a missing tarball",
      change: (served: Served) => served.delete("agent/3.6.12/juju-3.6.12-linux-amd64.tgz"),
      reason: "answered HTTP 404",
    },
  ])("finds the tree broken for $what", async ({ change, reason }) => {
    const served = await tree();
    change(served);
    const result = await lookupAgent({
      baseUrl: BASE,
      jujuVersion: "3.6",
      arch: "amd64",
      fetch: fakeFetch(served),
    });
    expect(result.outcome).toBe("broken");
    expect(result.outcome !== "found" && result.reason).toContain(reason);
  });

  it("finds nothing for an arch or series the tree does not advertise, or unsigned when signed is required", async () => {
    const served = await tree();
    for (const query of [
      { jujuVersion: "3.6", arch: "arm64" },
      { jujuVersion: "3.5", arch: "amd64" },
      { jujuVersion: "3.6", arch: "amd64", requireSigned: true },
    ]) {
      const result = await lookupAgent({ baseUrl: BASE, fetch: fakeFetch(served), ...query });
      expect(result.outcome, JSON.stringify(query)).toBe("not-found");
    }
  });

  it("searches the devel streams for a pre-release client, as Juju does", async () => {
    const served = await tree(".json", { devel: ["3.7-beta2"], released: ["3.7-beta1"] });
    const beta = await lookupAgent({
      baseUrl: BASE,
      jujuVersion: "3.7-beta1",
      arch: "amd64",
      fetch: fakeFetch(served),
    });
    expect(beta).toMatchObject({ outcome: "found", version: "3.7-beta2", stream: "devel" });
    const release = await lookupAgent({
      baseUrl: BASE,
      jujuVersion: "3.7.0",
      arch: "amd64",
      fetch: fakeFetch(served),
    });
    expect(release).toMatchObject({ outcome: "found", version: "3.7-beta1", stream: "released" });
  });

  it("finds the tree broken, naming the product file, for a version Juju cannot parse", async () => {
    const served = await tree(".json", { released: ["3.6.12", "3.6.x"] });
    const result = await lookupAgent({
      baseUrl: BASE,
      jujuVersion: "3.6",
      arch: "amd64",
      checkTarball: false,
      fetch: fakeFetch(served),
    });
    expect(result).toMatchObject({
      outcome: "broken",
      path: "streams/v1/com.ubuntu.juju-released-agents.json",
    });
    expect(result.outcome !== "found" && result.reason).toMatch(
      /"3\.6\.x", which Juju cannot parse/,
    );
  });

  it("only uses index entries serving the cloud it is asked for", async () => {
    const clouds = [{ region: "Region One", endpoint: "https://keystone.test:5000/v3" }];
    const served = await tree(".json", undefined, clouds);
    const inCloud = await lookupAgent({
      baseUrl: BASE,
      jujuVersion: "3.6",
      arch: "amd64",
      cloud: { region: "regionone", endpoint: "https://keystone.test:5000/v3/" },
      fetch: fakeFetch(served),
    });
    expect(inCloud.outcome).toBe("found");
    const elsewhere = await lookupAgent({
      baseUrl: BASE,
      jujuVersion: "3.6",
      arch: "amd64",
      cloud: { region: "RegionTwo", endpoint: "https://keystone.test:5000/v3" },
      fetch: fakeFetch(served),
    });
    expect(elsewhere).toMatchObject({ outcome: "not-found", path: "streams/v1/index2.json" });
  });

  it("refuses a signed index naming unsigned product files, and falls back past it", async () => {
    const served = await tree(".json");
    const key = await generateTestKey("mirror");
    const index = await served.get("streams/v1/index2.json");
    const text = await (index as Response).clone().text();
    served.set("streams/v1/index2.sjson", new Response(await clearsign(text, key.privateKey)));
    const signedOnly = await lookupAgent({
      baseUrl: BASE,
      jujuVersion: "3.6",
      arch: "amd64",
      keys: key.publicKey,
      requireSigned: true,
      fetch: fakeFetch(served),
    });
    expect(signedOnly).toMatchObject({ outcome: "broken", path: "streams/v1/index2.sjson" });
    expect(signedOnly.outcome !== "found" && signedOnly.reason).toContain(
      "names the unsigned product file streams/v1/com.ubuntu.juju-released-agents.json",
    );
    const fallback = await lookupAgent({
      baseUrl: BASE,
      jujuVersion: "3.6",
      arch: "amd64",
      keys: key.publicKey,
      fetch: fakeFetch(served),
    });
    expect(fallback).toMatchObject({ outcome: "found", index: { path: "streams/v1/index2.json" } });
    expect(fallback.skipped.map((skip) => skip.path)).toEqual(["streams/v1/index2.sjson"]);
  });

  it("finds a tarball served by redirect broken: the bootstrap machine's curl does not follow it", async () => {
    const served = await tree();
    served.set(
      "agent/3.6.12/juju-3.6.12-linux-amd64.tgz",
      () =>
        new Response(null, { status: 302, headers: { location: "http://elsewhere.test/a.tgz" } }),
    );
    const result = await lookupAgent({
      baseUrl: BASE,
      jujuVersion: "3.6",
      arch: "amd64",
      fetch: fakeFetch(served),
    });
    expect(result).toMatchObject({
      outcome: "broken",
      path: "agent/3.6.12/juju-3.6.12-linux-amd64.tgz",
    });
    expect(result.outcome !== "found" && result.reason).toContain(
      "redirect to http://elsewhere.test/a.tgz",
    );
  });
});
