import { describe, expect, it } from "vitest";
import {
  fetchMetadata,
  fetchMetadataCached,
  joinMetadataUrl,
  type MetadataCache,
} from "./metadata-answer.ts";

function answering(response: () => Response): typeof fetch {
  return (async () => response()) as typeof fetch;
}

describe("joinMetadataUrl", () => {
  it("puts exactly one slash between base and path, like Juju's urlJoin", () => {
    expect(joinMetadataUrl("http://m.test/images", "streams/v1/index.json")).toBe(
      "http://m.test/images/streams/v1/index.json",
    );
    expect(joinMetadataUrl("http://m.test/images/", "streams/v1/index.json")).toBe(
      "http://m.test/images/streams/v1/index.json",
    );
  });
});

describe("fetchMetadata", () => {
  it.each([
    { status: 404, kind: "missing" },
    { status: 401, kind: "missing" },
    { status: 403, kind: "bad-status" },
    { status: 500, kind: "bad-status" },
    { status: 503, kind: "bad-status" },
  ])("calls HTTP $status $kind", async ({ status, kind }) => {
    const answer = await fetchMetadata(
      answering(() => new Response("nope", { status })),
      "http://m.test",
      "streams/v1/index.json",
    );
    expect(answer).toMatchObject({ status, kind, url: "http://m.test/streams/v1/index.json" });
    expect(answer.bytes.byteLength).toBe(0);
  });

  it("keeps the body of a 200", async () => {
    const answer = await fetchMetadata(
      answering(() => new Response('{"a":1}')),
      "http://m",
      "x",
    );
    expect(answer.kind).toBe("ok");
    expect(new TextDecoder().decode(answer.bytes)).toBe('{"a":1}');
  });

  it("calls an HTML page with status 200 a soft 404, whatever its Content-Type", async () => {
    for (const type of ["text/html; charset=utf-8", "application/json"]) {
      const answer = await fetchMetadata(
        answering(
          () =>
            new Response("\n  <html><body>Not Found</body></html>", {
              headers: { "content-type": type },
            }),
        ),
        "http://m",
        "streams/v1/mirrors.json",
      );
      expect(answer.kind).toBe("soft-404");
      expect(answer.detail).toContain(`(${type})`);
    }
  });

  it("calls a failed connection unreachable instead of throwing", async () => {
    const refused = (async () => {
      throw new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:9") });
    }) as typeof fetch;
    const answer = await fetchMetadata(refused, "http://m", "x");
    expect(answer).toMatchObject({ status: 0, kind: "unreachable" });
    expect(answer.detail).toBe("no answer: fetch failed: connect ECONNREFUSED 127.0.0.1:9");
  });

  it("stops reading a body larger than a metadata file may be", async () => {
    const answer = await fetchMetadata(
      answering(() => new Response("x".repeat(100))),
      "http://m",
      "x",
      10,
    );
    expect(answer).toMatchObject({ kind: "too-large" });
  });
});

describe("fetchMetadataCached", () => {
  it("asks for each URL once", async () => {
    let calls = 0;
    const counting = (async () => {
      calls++;
      return new Response("{}");
    }) as typeof fetch;
    const cache: MetadataCache = new Map();
    await fetchMetadataCached(counting, cache, "http://m", "a");
    await fetchMetadataCached(counting, cache, "http://m/", "a");
    await fetchMetadataCached(counting, cache, "http://m", "b");
    expect(calls).toBe(2);
    await fetchMetadataCached(counting, undefined, "http://m", "a");
    expect(calls).toBe(3);
  });
});
