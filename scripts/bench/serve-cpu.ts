/**
 * CPU time the servers of `npm run bench:serve` spend, read from Linux's /proc: on a
 * shared or small machine requests per second move with whatever else runs, CPU time per
 * request much less. All threads of a process count (libuv's pool, workerd's threads).
 */
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux that matters. */
const TICKS_PER_SECOND = 100;

function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces; everything after its `)` is numbers.
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds of the processes so far; a vanished process counts 0. */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = statFields(pid);
    // utime and stime are fields 14 and 15 of the file, 12 and 13 after the name.
    if (fields !== undefined) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

/** Processes whose parent is `pid`, optionally only those running `command`. */
export function childrenOf(pid: number, command?: string): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const child = Number(entry);
    if (!Number.isInteger(child)) continue;
    const fields = statFields(child);
    if (fields === undefined || Number(fields[1]) !== pid) continue;
    if (command !== undefined) {
      const comm = readFileSync(`/proc/${child}/comm`, "utf8").trim();
      if (comm !== command) continue;
    }
    children.push(child);
  }
  return children;
}
