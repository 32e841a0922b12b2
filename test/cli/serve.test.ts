import { type ChildProcess, spawn } from "node:child_process";
import { copyFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI } from "./run-cli.ts";

const SHIPPED_CONFIG = join(import.meta.dirname, "../../streamgate.yaml");

interface Served {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

/** Starts `streamgate serve` as `npm start` does, on a free port, in a fresh directory. */
async function startServe(cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0"], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      const match = /on (http:\/\/[^ ]+) /.exec(stderr);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr };
}

async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  attempts = 100,
): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`condition not reached after ${attempts} attempts`);
}

describe("streamgate serve on a fresh clone (npm start)", () => {
  let served: Served;

  beforeAll(async () => {
    const cwd = await mkdtemp(join(tmpdir(), "streamgate-serve-"));
    await copyFile(SHIPPED_CONFIG, join(cwd, "streamgate.yaml"));
    served = await startServe(cwd, { STREAMGATE_ADMIN_TOKEN: "serve-test-token" });
  });

  afterAll(() => {
    served?.child.kill("SIGKILL");
  });

  it("serves the browse page explaining the empty store", async () => {
    const response = await fetch(`${served.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toContain("streamgate sync agents");
  });

  it("shows the failed first run of the agents job in /status and keeps serving", async () => {
    const status = await waitFor(
      async () =>
        (await fetch(`${served.url}/status`)).json() as Promise<{
          jobs: Record<string, { lastRun?: { outcome: string; errors: string[] } } | null>;
        }>,
      (document) => document.jobs.agents?.lastRun?.outcome === "failed",
      // streams.canonical.com is unreachable here: the transport retries with backoff first.
      800,
    );
    expect(status.jobs.agents?.lastRun?.errors.join(" ")).toMatch(/streams\.canonical\.com/);
    expect((await fetch(`${served.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${served.url}/juju/tools/streams/v1/index2.sjson`)).status).toBe(404);
  });

  it("answers /admin/sync only with the token from STREAMGATE_ADMIN_TOKEN", async () => {
    expect((await fetch(`${served.url}/admin/sync`, { method: "POST" })).status).toBe(401);
    const triggered = await fetch(`${served.url}/admin/sync?job=agents`, {
      method: "POST",
      headers: { authorization: "Bearer serve-test-token" },
    });
    // 409 while the first run (retrying an unreachable upstream) is still going.
    expect([202, 409]).toContain(triggered.status);
    expect(served.stderr()).not.toContain("serve-test-token");
  });

  it("shuts down cleanly on SIGTERM", async () => {
    const exited = new Promise<number | null>((resolve) => served.child.once("exit", resolve));
    served.child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(served.stderr()).toContain("shutting down");
  });
});
