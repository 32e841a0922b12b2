/**
 * Global setup of `npm run test:reliability`: one Swift for every S3 case, the run folder,
 * and fresh random secrets. Swift that cannot start fails the suite; nothing is skipped.
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import type { TestProject } from "vitest/node";
import { generateTestKey } from "../../src/signing/test-support.ts";
import { createS3Client } from "../../src/store/s3-client.ts";
import { suiteSeed } from "./prng.ts";
import { logsDir, type SuiteContext, workDir } from "./suite-context.ts";
import { SWIFT_REGION, startSwift, stopSwift } from "./swift.ts";

const BUCKET = "streamgate-reliability";
/** Fixed, so CI runs are reproducible; `RELIABILITY_SEED` explores others. */
const DEFAULT_SEED = 20_261_123;

function secret(prefix: string): string {
  return `${prefix}-${randomBytes(18).toString("hex")}`;
}

export default async function setup(project: TestProject) {
  const runDir = await mkdtemp(join(tmpdir(), "streamgate-reliability-"));
  const started = Date.now();
  const swift = await startSwift(join(runDir, "swift"), secret("s3secret"));
  const client = createS3Client({
    endpoint: swift.endpoint,
    region: SWIFT_REGION,
    forcePathStyle: true,
    credentials: swift.credentials,
  });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  client.destroy();
  const signingKey = await generateTestKey("streamgate reliability images");
  const context: SuiteContext = {
    runDir,
    swift,
    bucket: BUCKET,
    secrets: {
      adminToken: secret("admintoken"),
      osPassword: secret("ospassword"),
      signingKey: signingKey.privateKey,
      signingPublicKey: signingKey.publicKey,
    },
    seed: suiteSeed(DEFAULT_SEED),
  };
  await mkdir(logsDir(context), { recursive: true });
  await mkdir(workDir(context), { recursive: true });
  console.log(
    `[reliability] setup: Swift s3api at ${swift.endpoint} ready in ${((Date.now() - started) / 1000).toFixed(1)} s; seed ${context.seed} (RELIABILITY_SEED=${context.seed} replays it); run folder ${runDir}`,
  );
  project.provide("reliability", context);
  return async () => {
    await stopSwift(swift);
    if (process.env.RELIABILITY_KEEP === undefined)
      await rm(runDir, { recursive: true, force: true });
  };
}
