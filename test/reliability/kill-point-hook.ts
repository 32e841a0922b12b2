/**
 * Preloaded (`node --import`) into a `streamgate sync agents` child whose fs store the
 * crash case wants to kill at a chosen write: it watches the renames, links and unlinks
 * that place and remove objects under `RELIABILITY_STORE_ROOT`, and at the `nth` one
 * matching `RELIABILITY_HOLD` (`{"op":"put"|"delete","pattern":REGEX,"nth":N}`) it says so
 * on fd 3 and holds that operation forever, so the parent's SIGKILL lands right before it.
 * Everything else runs untouched: the store code is the real one.
 */
import { writeSync } from "node:fs";
import fsPromises from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import { relative, sep } from "node:path";

interface Hold {
  op: "put" | "delete";
  pattern: string;
  nth: number;
}

const root = process.env.RELIABILITY_STORE_ROOT;
const hold = process.env.RELIABILITY_HOLD
  ? (JSON.parse(process.env.RELIABILITY_HOLD) as Hold)
  : undefined;

if (root !== undefined && hold !== undefined) {
  const pattern = new RegExp(hold.pattern);
  let seen = 0;
  const keyOf = (path: unknown): string | undefined => {
    const within = relative(root, String(path));
    return within.startsWith("..") ? undefined : within.split(sep).join("/");
  };
  const reach = async (op: Hold["op"], path: unknown): Promise<void> => {
    const key = keyOf(path);
    // The fs store's own files (temp, sidecars, key locks) are not objects.
    if (key === undefined || key.startsWith(".streamgate/fs/")) return;
    if (op !== hold.op || !pattern.test(key) || ++seen !== hold.nth) return;
    writeSync(3, `hold ${op} ${key}\n`);
    setInterval(() => undefined, 60_000);
    await new Promise<never>(() => undefined);
  };
  const { rename, link, unlink } = fsPromises;
  Object.assign(fsPromises, {
    rename: async (from: string, to: string) => {
      await reach("put", to);
      return rename(from, to);
    },
    link: async (from: string, to: string) => {
      await reach("put", to);
      return link(from, to);
    },
    unlink: async (path: string) => {
      await reach("delete", path);
      return unlink(path);
    },
  });
  syncBuiltinESMExports();
}
