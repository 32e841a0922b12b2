import type { BigIntStats } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { FsLayout } from "./fs-layout.ts";

/**
 * What the fs store records beside an object it wrote, at
 * `<root>/.streamgate/fs/meta/<hh>/<sha256 of key>.json`. `ino`, `size` and `mtimeNs`
 * identify the data file the record is about: a file replaced by hand (new inode or new
 * mtime) no longer matches, and its record is ignored rather than trusted.
 */
export interface Sidecar {
  key: string;
  sha256: string;
  size: number;
  /** Data file's mtime in nanoseconds, as a decimal string (beyond a double's precision). */
  mtimeNs: string;
  ino: string;
  contentType?: string;
}

export function buildSidecar(
  key: string,
  sha256: string,
  stats: BigIntStats,
  contentType: string | undefined,
): Sidecar {
  return {
    key,
    sha256,
    size: Number(stats.size),
    mtimeNs: stats.mtimeNs.toString(),
    ino: stats.ino.toString(),
    ...(contentType === undefined ? {} : { contentType }),
  };
}

function parseSidecar(text: string, key: string): Sidecar | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const record = value as Record<string, unknown>;
  const valid =
    record.key === key &&
    typeof record.sha256 === "string" &&
    /^[0-9a-f]{64}$/.test(record.sha256) &&
    typeof record.size === "number" &&
    typeof record.mtimeNs === "string" &&
    typeof record.ino === "string" &&
    (record.contentType === undefined || typeof record.contentType === "string");
  return valid ? (record as unknown as Sidecar) : null;
}

/**
 * The sidecar of `key` if it describes the file `stats` describes; `null` when there is
 * none, it is unreadable JSON (a crash mid-write: sidecars are not fsynced, because a lost
 * one only costs the recorded sha256), or it is about another file.
 */
export async function readSidecar(
  layout: FsLayout,
  key: string,
  stats: BigIntStats,
): Promise<Sidecar | null> {
  let text: string;
  try {
    text = await readFile(layout.sidecarPath(key), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const sidecar = parseSidecar(text, key);
  if (sidecar === null) return null;
  const matches =
    sidecar.size === Number(stats.size) &&
    sidecar.mtimeNs === stats.mtimeNs.toString() &&
    sidecar.ino === stats.ino.toString();
  return matches ? sidecar : null;
}

/** Replaces the sidecar of `sidecar.key` atomically (temp file + rename). */
export async function writeSidecar(layout: FsLayout, sidecar: Sidecar): Promise<void> {
  const target = layout.sidecarPath(sidecar.key);
  const temp = layout.tempPath(".json");
  try {
    await writeFile(temp, `${JSON.stringify(sidecar)}\n`, { flag: "wx" });
    await mkdir(dirname(target), { recursive: true });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export async function removeSidecar(layout: FsLayout, key: string): Promise<void> {
  await rm(layout.sidecarPath(key), { force: true });
}
