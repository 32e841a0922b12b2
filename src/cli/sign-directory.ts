import { readFile } from "node:fs/promises";
import { UnusableKeyError } from "../signing/errors.ts";
import { SignTreeError, signTree } from "../signing/sign-tree.ts";
import { UsageError } from "./usage-error.ts";

/** `streamgate sign DIR --key FILE`: what was signed; bad input becomes a usage error (exit 2). */
export async function signDirectory(dir: string, keyPath: string) {
  let privateKey: string;
  try {
    privateKey = await readFile(keyPath, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the signing key ${keyPath}: ${(error as Error).message}`);
  }
  try {
    return await signTree(dir, privateKey);
  } catch (error) {
    if (error instanceof SignTreeError || error instanceof UnusableKeyError) {
      throw new UsageError(error.message);
    }
    throw error;
  }
}
