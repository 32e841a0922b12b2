/**
 * @module
 * What the global setup hands every reliability test file: the run folder, Swift, and the
 * secrets every child process runs with (so that the secrets case can prove none leaked).
 */
import { join } from "node:path";
import { inject } from "vitest";
import type { SwiftInfo } from "./swift.ts";

export interface SuiteSecrets {
  /** `STREAMGATE_ADMIN_TOKEN` of every `streamgate serve`. */
  adminToken: string;
  /** `OS_PASSWORD`, and the OpenStack double's password in the secrets case. */
  osPassword: string;
  /** Armored private key: `STREAMGATE_SIGNING_KEY` and `--signing-key` of `sync images`. */
  signingKey: string;
  /** Its public half (which may appear anywhere). */
  signingPublicKey: string;
}

export interface SuiteContext {
  /** Everything the suite writes below here; removed at the end. */
  runDir: string;
  swift: SwiftInfo;
  /** Bucket every S3 case uses (each under its own prefix). */
  bucket: string;
  secrets: SuiteSecrets;
  /** Seed of the suite's PRNGs (`RELIABILITY_SEED` replays a run). */
  seed: number;
}

declare module "vitest" {
  interface ProvidedContext {
    reliability: SuiteContext;
  }
}

export function suiteContext(): SuiteContext {
  return inject("reliability");
}

/** Captured output of every child process, `/status` bodies and error messages. */
export function logsDir(context: SuiteContext): string {
  return join(context.runDir, "logs");
}

/** Stores, upstream trees and configuration files of the cases. */
export function workDir(context: SuiteContext): string {
  return join(context.runDir, "work");
}

/** `s3://BUCKET/PREFIX/?endpoint=…` for a prefix of the suite's bucket. */
export function s3StoreUrl(context: SuiteContext, prefix: string, endpoint?: string): string {
  const through = encodeURIComponent(endpoint ?? context.swift.endpoint);
  return `s3://${context.bucket}/${prefix}/?endpoint=${through}&region=us-east-1&forcePathStyle=true`;
}
