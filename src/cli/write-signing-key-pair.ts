import { constants } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import { join } from "node:path";
import { generateSigningKey } from "../signing/generate-key.ts";
import { UsageError } from "./usage-error.ts";

export const PRIVATE_KEY_FILE = "signing-key.asc";
export const PUBLIC_KEY_FILE = "signing-key.pub.asc";

export interface WrittenKeyPair {
  privateKeyPath: string;
  publicKeyPath: string;
  fingerprint: string;
}

async function writeNew(path: string, text: string, mode: number, force: boolean) {
  // O_EXCL unless --force: an operator's existing key is never overwritten by accident.
  const flags =
    constants.O_WRONLY | constants.O_CREAT | (force ? constants.O_TRUNC : constants.O_EXCL);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, flags, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new UsageError(`${path} already exists; use --force to replace the key pair`);
    }
    throw error;
  }
  try {
    await handle.chmod(mode);
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** `streamgate keygen`: an RSA-4096 v4 key pair, the private half readable by its owner only. */
export async function writeSigningKeyPair(
  dir: string,
  options: { force: boolean },
): Promise<WrittenKeyPair> {
  const key = await generateSigningKey();
  await mkdir(dir, { recursive: true });
  const privateKeyPath = join(dir, PRIVATE_KEY_FILE);
  const publicKeyPath = join(dir, PUBLIC_KEY_FILE);
  await writeNew(privateKeyPath, key.privateKey, 0o600, options.force);
  await writeNew(publicKeyPath, key.publicKey, 0o644, options.force);
  return { privateKeyPath, publicKeyPath, fingerprint: key.fingerprint };
}
