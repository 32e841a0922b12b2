/**
 * @module
 * Test-only helpers for this folder's tests (never imported by runtime code): one RSA-2048
 * key per test file, and GnuPG's `gpgv` as the independent judge of what we sign.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { armoredPublicKeyToBinary } from "./binary-keyring.ts";
import { type GeneratedSigningKey, generateSigningKey } from "./generate-key.ts";

const GPGV = "/usr/bin/gpgv";

/** Creation time of test keys, so tests can sign at fixed, later dates. */
export const TEST_KEY_DATE = new Date("2024-01-01T00:00:00Z");

/** A fast key for tests; the 4096-bit default is exercised in generate-key.test.ts. */
export function generateTestKey(name = "streamgate test key"): Promise<GeneratedSigningKey> {
  return generateSigningKey({
    name,
    email: "test@streamgate.invalid",
    rsaBits: 2048,
    date: TEST_KEY_DATE,
  });
}

export function temporaryDirectory(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `streamgate-signing-${prefix}-`));
}

export interface GpgvResult {
  /** gpgv's exit code: 0 good signature, 1 bad signature, 2 anything else. */
  code: number;
  /** The signed text gpgv extracted (`--output`), empty when it rejected the file. */
  text: string;
  /** From gpgv's `VALIDSIG` status line: the signing key's fingerprint and the signature time. */
  valid?: { fingerprint: string; signedAt: Date };
  stderr: string;
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[]): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "ENOENT"
          ? new Error(
              `gpgv is required by the signing tests and was not found at ${GPGV}; install it (Debian/Ubuntu: apt-get install gpgv)`,
            )
          : error,
      );
    });
    child.on("close", (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}

/** Fails (never skips) when gpgv is missing; every gpgv call below fails the same way. */
export async function assertGpgvAvailable(): Promise<void> {
  const { code, stderr } = await run(GPGV, ["--version"]);
  if (code !== 0) {
    throw new Error(`gpgv --version failed (exit ${code}): ${stderr}`);
  }
}

/**
 * Runs `gpgv --keyring KEYRING FILE` with a throwaway home directory: the same check an
 * operator would make by hand. `keys` are armored public (or private) keys.
 */
export async function gpgvVerify(signedFile: string, keys: string): Promise<GpgvResult> {
  const home = await temporaryDirectory("gpgv");
  const keyring = join(home, "keyring.gpg");
  const output = join(home, "signed-text");
  await writeFile(keyring, await armoredPublicKeyToBinary(keys));
  const { code, stdout, stderr } = await run(GPGV, [
    "--status-fd",
    "1",
    "--homedir",
    home,
    "--keyring",
    keyring,
    "--output",
    output,
    signedFile,
  ]);
  const text = code === 0 ? await readFile(output, "utf8") : "";
  const validSig = /^\[GNUPG:\] VALIDSIG ([0-9A-F]{40}) \S+ (\d+) /m.exec(stdout);
  const valid =
    validSig?.[1] && validSig[2]
      ? { fingerprint: validSig[1], signedAt: new Date(Number(validSig[2]) * 1000) }
      : undefined;
  return { code, text, valid, stderr };
}

/** Writes `signed` to a temporary file and runs `gpgvVerify` on it. */
export async function gpgvVerifyText(signed: string, keys: string): Promise<GpgvResult> {
  const file = join(await temporaryDirectory("signed"), "file.sjson");
  await writeFile(file, signed);
  return gpgvVerify(file, keys);
}
