import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { temporaryDirectory } from "../signing/test-support.ts";
import { createNodeFetch } from "./node-fetch.ts";

let server: Server;
let url: string;
let ca: string;

beforeAll(async () => {
  // A private CA's certificate, as OS_CACERT points at; openssl is part of every base image.
  const dir = await temporaryDirectory("cacert");
  await promisify(execFile)("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-keyout",
    join(dir, "key.pem"),
    "-out",
    join(dir, "cert.pem"),
    "-subj",
    "/CN=127.0.0.1",
    "-addext",
    "subjectAltName=IP:127.0.0.1",
  ]);
  ca = await readFile(join(dir, "cert.pem"), "utf8");
  server = createServer(
    { key: await readFile(join(dir, "key.pem")), cert: ca },
    (request, response) => {
      let body = "";
      request.setEncoding("utf8").on("data", (chunk: string) => {
        body += chunk;
      });
      request.on("end", () => {
        if (request.url === "/empty") {
          response.writeHead(204).end();
          return;
        }
        response.writeHead(201, { "content-type": "application/json", "x-subject-token": "t-1" });
        response.end(
          JSON.stringify({
            method: request.method,
            body,
            token: request.headers["x-auth-token"] ?? null,
          }),
        );
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
);

describe("createNodeFetch", () => {
  it("trusts the CA it is given, sending method, headers and body", async () => {
    const response = await createNodeFetch({ ca })(`${url}/v3/auth/tokens`, {
      method: "POST",
      headers: { "x-auth-token": "abc" },
      body: '{"auth":{}}',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-subject-token")).toBe("t-1");
    expect(await response.json()).toEqual({ method: "POST", body: '{"auth":{}}', token: "abc" });
  });

  it("answers statuses without a body", async () => {
    const response = await createNodeFetch({ ca })(`${url}/empty`);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
  });

  it("refuses a server its CA did not sign", async () => {
    await expect(createNodeFetch({})(`${url}/`)).rejects.toThrow(
      /self[- ]signed|unable to verify/i,
    );
  });

  it("skips verification only when told to", async () => {
    const response = await createNodeFetch({ rejectUnauthorized: false })(`${url}/`);
    expect(response.status).toBe(201);
  });

  it("stops when the signal aborts", async () => {
    const controller = new AbortController();
    controller.abort(new Error("timeout"));
    await expect(
      createNodeFetch({ ca })(`${url}/`, { signal: controller.signal }),
    ).rejects.toThrow();
  });
});
