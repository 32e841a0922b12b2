import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { makeUpstream } from "../../scripts/make-upstream.ts";
import { UPSTREAM_ROOT_VARIABLE } from "./upstream-outbound.ts";

declare module "vitest" {
  interface ProvidedContext {
    /** Armored public key the local upstream is signed with. */
    upstreamKey: string;
  }
}

/**
 * Global setup of the Workers project (runs in Node): a local upstream shaped like
 * streams.canonical.com, which the Worker reaches through the outbound handler.
 */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), "streamgate-workers-upstream-"));
  const fixture = await makeUpstream({ out: join(dir, "juju/tools") });
  process.env[UPSTREAM_ROOT_VARIABLE] = dir;
  project.provide("upstreamKey", fixture.publicKey);
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
