/**
 * @module
 * Greps bytes for the suite's secrets: the admin token, the OpenStack password, the S3
 * secret, and the images signing key (its armor header, and every armored line of the
 * private key that its public half does not share).
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { SuiteContext } from "./suite-context.ts";

export interface Needle {
  name: string;
  bytes: Buffer;
}

export interface ScanResult {
  files: number;
  bytes: number;
  /** `where: which secret`. */
  hits: string[];
}

export function secretNeedles(context: SuiteContext): Needle[] {
  const { secrets, swift } = context;
  const publicLines = new Set(secrets.signingPublicKey.split("\n").map((line) => line.trim()));
  const privateLines = secrets.signingKey
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length >= 40 && !line.startsWith("-----") && !publicLines.has(line));
  if (privateLines.length < 10)
    throw new Error("the signing key has too few private lines to grep");
  return [
    { name: "STREAMGATE_ADMIN_TOKEN", bytes: Buffer.from(secrets.adminToken) },
    { name: "OS_PASSWORD", bytes: Buffer.from(secrets.osPassword) },
    { name: "the S3 secret", bytes: Buffer.from(swift.credentials.secretAccessKey) },
    { name: "a private key block", bytes: Buffer.from("PRIVATE KEY BLOCK") },
    ...privateLines.map((line, index) => ({
      name: `line ${index + 1} of the signing key`,
      bytes: Buffer.from(line),
    })),
  ];
}

export function scanBytes(where: string, bytes: Buffer, needles: readonly Needle[]): string[] {
  return needles
    .filter((needle) => bytes.includes(needle.bytes))
    .map((needle) => `${where}: ${needle.name}`);
}

/** Every file under `root`, but those in `exclude` (absolute paths). */
export async function scanTree(
  root: string,
  needles: readonly Needle[],
  exclude: ReadonlySet<string> = new Set(),
): Promise<ScanResult> {
  const result: ScanResult = { files: 0, bytes: 0, hits: [] };
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (exclude.has(path)) continue;
    const bytes = await readFile(path);
    result.files++;
    result.bytes += bytes.byteLength;
    result.hits.push(...scanBytes(relative(root, path), bytes, needles));
  }
  return result;
}
