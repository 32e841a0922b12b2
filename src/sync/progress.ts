import type { ObjectStore } from "../store/object-store.ts";
import { AGENTS_PROGRESS_KEY } from "./layout.ts";

/**
 * A plan under way, saved at `.streamgate/state/agents-progress.json` while tarballs are
 * copied and kept when a run stops before publishing (a Worker's time budget, a shutdown,
 * a kill). The next run replans from upstream — cheap next to the copies — and, when
 * `planId` is unchanged (same upstream index bytes, mode and filters), reports that it
 * resumed it; either way it copies only what the store does not hold yet. The tarballs of
 * the plan under way are the tree it wants, which garbage collection never touches; those
 * of an abandoned plan are swept as orphans after the next publish.
 */
export interface AgentsProgress {
  /** sha256 of the upstream URL, the upstream index bytes, the mode and the filters. */
  planId: string;
  upstream: string;
  mode: "filtered" | "exact";
  startedAt: string;
  updatedAt: string;
  total: { tarballs: number; bytes: number };
  /** Store keys of every tarball of the plan. */
  tarballs: string[];
  /** Paths of the tarballs not yet copied when the last run stopped. */
  remaining: string[];
}

export async function readProgress(store: ObjectStore): Promise<AgentsProgress | null> {
  const object = await store.get(AGENTS_PROGRESS_KEY);
  if (object === null) return null;
  try {
    const value = JSON.parse(await new Response(object.body).text()) as AgentsProgress;
    return typeof value.planId === "string" && Array.isArray(value.tarballs) ? value : null;
  } catch {
    return null;
  }
}

export async function writeProgress(store: ObjectStore, progress: AgentsProgress): Promise<void> {
  await store.put(AGENTS_PROGRESS_KEY, `${JSON.stringify(progress, null, 1)}\n`, {
    contentType: "application/json",
  });
}

export async function clearProgress(store: ObjectStore): Promise<void> {
  await store.delete([AGENTS_PROGRESS_KEY]);
}
