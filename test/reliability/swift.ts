/**
 * @module
 * OpenStack Swift (s3api) for the reliability suite, started by scripts/start-swift.sh.
 * The proxy is then restarted with one more tempauth account whose S3 secret is random:
 * the script's fixed `testing` secret is an English word, which the secrets case could not
 * grep for. The proxy can also be stopped and started again (a store that goes away).
 */
import { execFile, spawn } from "node:child_process";
import { open, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { freeSwiftPorts } from "../support/swift-ports.ts";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");

/** S3 access key of the account the suite adds: tempauth's `user_<account>_<user>`. */
export const SWIFT_ACCESS_KEY = "reliability:rel";
export const SWIFT_REGION = "us-east-1";

export interface SwiftInfo {
  /** STATE_DIR of start-swift.sh. */
  state: string;
  /** `http://127.0.0.1:PORT`: the s3api endpoint. */
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

const pidFile = (swift: SwiftInfo) => join(swift.state, "run/proxy-server.pid");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => Promise<boolean>, attempts = 300): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (await check().catch(() => false)) return;
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
  throw new Error(`[reliability] ${what} did not happen within ${attempts / 10} s`);
}

/** Stops Swift's proxy (SIGTERM to the pid start-swift.sh recorded): the S3 API is gone. */
export async function stopSwiftProxy(swift: SwiftInfo): Promise<void> {
  const pid = Number((await readFile(pidFile(swift), "utf8")).trim());
  if (!Number.isSafeInteger(pid) || pid <= 0 || !alive(pid)) return;
  process.kill(pid, "SIGTERM");
  await until("swift-proxy-server exiting", async () => !alive(pid));
}

/** Starts the proxy as start-swift.sh does (clean env, its log file) and waits for it. */
export async function startSwiftProxy(swift: SwiftInfo): Promise<void> {
  const log = await open(join(swift.state, "log/proxy-server.log"), "a");
  const child = spawn(
    "env",
    [
      "-i",
      "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
      `HOME=${swift.state}`,
      "LANG=C.UTF-8",
      "PYTHONDONTWRITEBYTECODE=1",
      `PYTHONPATH=${join(ROOT, "scripts/swift")}`,
      "/usr/bin/swift-proxy-server",
      join(swift.state, "etc/proxy-server.conf"),
      "-v",
    ],
    { detached: true, stdio: ["ignore", log.fd, log.fd] },
  );
  child.unref();
  await log.close();
  await writeFile(pidFile(swift), `${child.pid}\n`);
  await until("Swift's proxy answering with the suite's account", async () => {
    const response = await fetch(`${swift.endpoint}/auth/v1.0`, {
      headers: { "x-auth-user": SWIFT_ACCESS_KEY, "x-auth-key": swift.credentials.secretAccessKey },
    });
    await response.body?.cancel();
    return response.ok;
  });
}

/** Starts Swift in `state` with the suite's account (secret `secret`). */
export async function startSwift(state: string, secret: string): Promise<SwiftInfo> {
  const { stdout } = await run("bash", [join(ROOT, "scripts/start-swift.sh"), state], {
    env: { ...process.env, SWIFT_PORT: String(await freeSwiftPorts()) },
    timeout: 170_000,
  });
  const endpoint = stdout.trim().split("\n").at(-1) ?? "";
  const swift: SwiftInfo = {
    state,
    endpoint,
    credentials: { accessKeyId: SWIFT_ACCESS_KEY, secretAccessKey: secret },
  };
  const conf = join(state, "etc/proxy-server.conf");
  const text = await readFile(conf, "utf8");
  const [account, user] = SWIFT_ACCESS_KEY.split(":");
  const added = text.replace(
    /^(user_test_tester = .*)$/m,
    `$1\nuser_${account}_${user} = ${secret} .admin`,
  );
  if (added === text) throw new Error(`[reliability] no tempauth user line in ${conf}`);
  await writeFile(conf, added);
  await stopSwiftProxy(swift);
  await startSwiftProxy(swift);
  return swift;
}

export async function stopSwift(swift: SwiftInfo): Promise<void> {
  await run("bash", [join(ROOT, "scripts/stop-swift.sh"), swift.state]);
}
