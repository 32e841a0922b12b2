/**
 * Runs last (see vitest.reliability.config.ts). Every child process of the suite ran with
 * the admin token, the OpenStack password, the S3 secret and the images signing key in its
 * environment; this case also exercises each of them on purpose — an images sync that
 * signs, Keystone refusing the password, a server whose images job fails, the admin route —
 * and then greps everything the suite produced: the captured stdout/stderr of every child,
 * `/status`, `/metrics` and the browse page, in-process error messages, every file of every
 * fs store and upstream tree, and every object in the S3 bucket.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Client } from "../../src/store/s3-client.ts";
import {
  DEFAULT_USER,
  type OpenStackDouble,
  passwordEnv,
  startOpenStackDouble,
  ubuntuImage,
} from "../images/openstack-double.ts";
import { recordLog, runStreamgate, startServe } from "./children.ts";
import { reportFigures } from "./figures.ts";
import { scanBytes, scanTree, secretNeedles } from "./secret-scan.ts";
import { logsDir, type SuiteContext, s3StoreUrl, suiteContext, workDir } from "./suite-context.ts";
import { SWIFT_REGION } from "./swift.ts";

const STATUS_POLLS = 100;

let context: SuiteContext;
let double: OpenStackDouble;
let dir: string;
let keyFile: string;

beforeAll(async () => {
  context = suiteContext();
  dir = join(workDir(context), "secrets");
  await mkdir(dir, { recursive: true });
  keyFile = join(dir, "images-signing-key.asc");
  await writeFile(keyFile, context.secrets.signingKey, { mode: 0o600 });
  double = await startOpenStackDouble({
    regions: [{ name: "RegionOne", images: [ubuntuImage("img-1", "24.04", "x86_64")] }],
    users: [{ ...DEFAULT_USER, password: context.secrets.osPassword }],
  });
});

afterAll(async () => {
  await double?.close();
});

function syncImages(store: string, env: Record<string, string>, label: string) {
  return runStreamgate(
    context,
    ["sync", "images", "--cloud", "reliability", "--signing-key", keyFile, "--store", store],
    { label, cwd: dir, env },
  );
}

describe("secrets", () => {
  it("an images sync signs with the key and prints neither it nor the password", async () => {
    const env = passwordEnv(double);
    expect(env.OS_PASSWORD).toBe(context.secrets.osPassword);
    const s3 = await syncImages(s3StoreUrl(context, "secrets-images"), env, "secrets-images-s3");
    expect(s3.code, s3.stderr).toBe(0);
    const fs = await syncImages(`file:${join(dir, "store")}`, env, "secrets-images-fs");
    expect(fs.code, fs.stderr).toBe(0);
    const refused = await syncImages(
      `file:${join(dir, "store")}`,
      { ...env, OS_USERNAME: "someone-else" },
      "secrets-images-refused",
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Keystone rejected the credentials/);
  });

  it("a server with a failing images job shows /status without a secret", async () => {
    await writeFile(
      join(dir, "serve.yaml"),
      "images:\n  cloud: reliability\n  runOnStart: true\n  cron: '0 0 1 1 *'\n",
    );
    const served = await startServe(
      context,
      ["--config", join(dir, "serve.yaml"), "--store", s3StoreUrl(context, "secrets-serve")],
      { label: "secrets-serve", cwd: dir, env: { ...passwordEnv(double), OS_USERNAME: "nobody" } },
    );
    try {
      let status = "";
      for (let poll = 0; poll < STATUS_POLLS; poll++) {
        status = await (await fetch(`${served.url}/status`)).text();
        if (/"outcome":\s*"failed"/.test(status)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toMatch(/Keystone rejected the credentials/);
      const triggered = await fetch(`${served.url}/admin/sync?job=images`, {
        method: "POST",
        headers: { authorization: `Bearer ${context.secrets.adminToken}` },
      });
      expect([202, 409]).toContain(triggered.status);
      const pages = await Promise.all(
        ["/status", "/metrics", "/", "/healthz", "/readyz"].map(async (path) => {
          const response = await fetch(`${served.url}${path}`);
          return `GET ${path} → ${response.status}\n${await response.text()}`;
        }),
      );
      await recordLog(
        context,
        "secrets-serve-pages",
        [`POST /admin/sync → ${triggered.status}\n${await triggered.text()}`, ...pages].join(
          "\n\n",
        ),
      );
    } finally {
      const stopped = await served.stop();
      expect(stopped.code).toBe(0);
    }
  });

  it("appears nowhere in the logs, pages, errors, stores or bucket the whole suite produced", async () => {
    const needles = secretNeedles(context);
    // The scanner finds what it looks for: the key file itself is the one excluded hit.
    expect((await scanTree(dir, needles)).hits.join("\n")).toMatch(/images-signing-key\.asc/);

    const logs = await scanTree(logsDir(context), needles);
    const work = await scanTree(workDir(context), needles, new Set([keyFile]));
    const client = createS3Client({
      endpoint: context.swift.endpoint,
      region: SWIFT_REGION,
      forcePathStyle: true,
      credentials: context.swift.credentials,
    });
    const bucket = { objects: 0, bytes: 0, hits: [] as string[] };
    try {
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: context.bucket, ContinuationToken: token }),
        );
        for (const { Key } of page.Contents ?? []) {
          const object = await client.send(new GetObjectCommand({ Bucket: context.bucket, Key }));
          const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
          bucket.objects++;
          bucket.bytes += bytes.byteLength;
          bucket.hits.push(...scanBytes(`s3://${context.bucket}/${Key}`, bytes, needles));
        }
        token = page.NextContinuationToken;
      } while (token !== undefined);
    } finally {
      client.destroy();
    }
    const hits = [...logs.hits, ...work.hits, ...bucket.hits];
    const MB = 1e6;
    reportFigures(
      "secrets",
      `${logs.files} captured logs (stdout/stderr of every child, /status, /metrics, pages, error messages; ${(logs.bytes / MB).toFixed(1)} MB), ${work.files} files of stores and upstreams (${(work.bytes / MB).toFixed(1)} MB), ${bucket.objects} S3 objects (${(bucket.bytes / MB).toFixed(1)} MB) grepped for ${needles.length} needles (admin token, OS_PASSWORD, S3 secret, private key block and its ${needles.length - 4} private lines): ${hits.length} hits`,
    );
    // This file's own children and stores at least; the whole suite's under npm run.
    expect(logs.files).toBeGreaterThanOrEqual(5);
    expect(bucket.objects).toBeGreaterThan(0);
    expect(hits).toEqual([]);
  });
});
