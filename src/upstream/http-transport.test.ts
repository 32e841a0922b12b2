import { describe, expect, it } from "vitest";
import { UpstreamError } from "./errors.ts";
import { createHttpTransport, type HttpTransportOptions } from "./http-transport.ts";

interface Call {
  url: string;
  init: RequestInit | undefined;
}

function fakeFetch(answer: (url: string, call: number) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init });
    return answer(String(input), calls.length);
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

function transportWith(
  answer: (url: string, call: number) => Response | Promise<Response>,
  options: HttpTransportOptions = {},
) {
  const { fetch, calls } = fakeFetch(answer);
  const delays: number[] = [];
  const transport = createHttpTransport({
    fetch,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...options,
  });
  return { transport, calls, delays };
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

describe("createHttpTransport", () => {
  it.each<[HttpTransportOptions, RegExp]>([
    [{ timeoutMs: 0 }, /`timeoutMs` to be a number of milliseconds above 0/],
    [{ idleTimeoutMs: Number.NaN }, /`idleTimeoutMs`/],
    [{ retries: -1 }, /`retries` to be an integer from 0 and up/],
    [{ retries: 1.5 }, /`retries`/],
    [{ maxMetadataBytes: 0 }, /`maxMetadataBytes` to be an integer from 1 and up/],
    [{ maxRedirects: -1 }, /`maxRedirects`/],
    [{ fetch: "fetch" as unknown as typeof fetch }, /`fetch` to be a function/],
  ])("validates its options: %o", (options, message) => {
    expect(() => createHttpTransport(options)).toThrow(message);
  });

  it("refuses file:// URLs, pointing at the file transport", async () => {
    const { transport, calls } = transportWith(() => new Response("x"));
    await expect(transport.read("file:///srv/tools/streams/v1/index2.sjson")).rejects.toThrow(
      /createFileTransport/,
    );
    expect(calls).toEqual([]);
  });

  it("never lets fetch follow redirects itself", async () => {
    const { transport, calls } = transportWith(() => new Response("{}"));
    await transport.read("https://h/juju/tools/streams/v1/index2.sjson");
    await (await transport.open("https://h/juju/tools/agent/x.tgz")).body.cancel();
    expect(calls.map((call) => call.init?.redirect)).toEqual(["manual", "manual"]);
  });

  it("asks for tarballs unencoded and reports their size from Content-Length", async () => {
    const { transport, calls } = transportWith(
      () => new Response("abcdef", { headers: { "content-length": "6" } }),
    );
    const object = await transport.open("https://h/juju/tools/agent/x.tgz");
    expect(object.size).toBe(6);
    expect(new Headers(calls[0]?.init?.headers).get("accept-encoding")).toBe("identity");
    expect(new Headers(calls[0]?.init?.headers).get("user-agent")).toBe("streamgate");
    expect(await new Response(object.body).text()).toBe("abcdef");
  });

  it("leaves the size unknown when the tarball arrives content-encoded", async () => {
    const { transport } = transportWith(
      () => new Response("abc", { headers: { "content-length": "3", "content-encoding": "gzip" } }),
    );
    const object = await transport.open("https://h/juju/tools/agent/x.tgz");
    expect(object.size).toBeUndefined();
    await object.body.cancel();
  });

  it("refuses metadata whose Content-Length is over the limit without reading it", async () => {
    let pulled = 0;
    const { transport } = transportWith(
      () =>
        new Response(
          new ReadableStream({
            pull(controller) {
              pulled++;
              controller.enqueue(new Uint8Array(10));
            },
          }),
          { headers: { "content-length": "2000" } },
        ),
      { maxMetadataBytes: 1000 },
    );
    const error = await failure(transport.read("https://h/juju/tools/streams/v1/index2.sjson"));
    expect(error.reason).toBe("too-large");
    expect(error.message).toContain("it announces 2000 bytes");
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it.each([206, 204])("refuses a %i: only 200 carries a whole file", async (status) => {
    const { transport } = transportWith(() => new Response(null, { status }));
    const error = await failure(transport.read("https://h/x.sjson"));
    expect(error).toMatchObject({ reason: "http-status", status, retryable: false });
  });

  it("refuses a redirect without a Location", async () => {
    const { transport } = transportWith(() => new Response(null, { status: 302 }));
    const error = await failure(transport.read("https://h/x.sjson"));
    expect(error.reason).toBe("redirect");
    expect(error.message).toContain("without a usable Location header");
  });

  it("treats an https → http redirect on the same host as another origin", async () => {
    const { transport, calls } = transportWith(
      () => new Response(null, { status: 301, headers: { location: "http://h/x.sjson" } }),
    );
    const error = await failure(transport.read("https://h/x.sjson"));
    expect(error.reason).toBe("redirect");
    expect(error.message).toContain("only within https://h");
    expect(calls).toHaveLength(1);
  });

  it("refuses every redirect with maxRedirects 0", async () => {
    const { transport } = transportWith(
      () => new Response(null, { status: 302, headers: { location: "/y.sjson" } }),
      { maxRedirects: 0 },
    );
    const error = await failure(transport.read("https://h/x.sjson"));
    expect(error.message).toContain("more than 0 times");
  });

  it("keeps credentials out of errors", async () => {
    const { transport } = transportWith(() => new Response(null, { status: 500 }), {
      retries: 0,
    });
    const error = await failure(transport.read("https://bot:hunter2@h/x.sjson"));
    expect(error.url).toBe("https://h/x.sjson");
    expect(error.message).not.toContain("hunter2");
  });

  it("sends URL credentials as Basic auth, never in the URL", async () => {
    const { transport, calls } = transportWith((url, call) =>
      call === 1
        ? new Response(null, { status: 302, headers: { location: "https://h/moved/x.sjson" } })
        : new Response(`read ${url}`),
    );
    await transport.read("https://bot:p%40ss@h/x.sjson");
    expect(calls.map((call) => call.url)).toEqual(["https://h/x.sjson", "https://h/moved/x.sjson"]);
    for (const call of calls) {
      expect(new Headers(call.init?.headers).get("authorization")).toBe(
        `Basic ${btoa("bot:p@ss")}`,
      );
    }
  });

  it("reports a fetch failure with its cause as a retryable network error", async () => {
    const { transport, delays } = transportWith(
      () => {
        throw new TypeError("fetch failed", {
          cause: Object.assign(new Error("getaddrinfo ENOTFOUND h"), { code: "ENOTFOUND" }),
        });
      },
      { retries: 2, retryDelayMs: 100 },
    );
    const error = await failure(transport.read("https://h/x.sjson"));
    expect(error).toMatchObject({ reason: "network", attempts: 3, retryable: true });
    expect(error.message).toContain("cannot reach https://h/x.sjson: fetch failed: ENOTFOUND");
    expect(delays).toEqual([100, 200]);
  });

  it("maps a connection that dies mid-body to a network error", async () => {
    const { transport } = transportWith(
      () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new Uint8Array(4));
            },
            pull(controller) {
              controller.error(new TypeError("terminated"));
            },
          }),
        ),
    );
    const object = await transport.open("https://h/agent/x.tgz");
    const error = await failure(new Response(object.body).arrayBuffer());
    expect(error.reason).toBe("network");
    expect(error.message).toContain("failed after 4 bytes of the body: terminated");
  });

  it("rejects with the caller's reason when aborted before the request", async () => {
    const { transport, calls } = transportWith(() => new Response("x"));
    const controller = new AbortController();
    controller.abort(new Error("budget spent"));
    await expect(
      transport.read("https://h/x.sjson", { signal: controller.signal }),
    ).rejects.toThrow("budget spent");
    expect(calls).toEqual([]);
  });
});
