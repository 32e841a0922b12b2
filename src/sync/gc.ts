import type { ObjectStore } from "../store/object-store.ts";
import { AGENTS_GC_KEY } from "./layout.ts";

/**
 * Objects that left the published tree, each with the instant before which it must not be
 * deleted: a client that read the previous index just before the switch may still fetch
 * what it named. Stored at `.streamgate/state/agents-gc.json`; keys are store keys.
 */
export interface GcState {
  pending: Record<string, string>;
}

export function emptyGcState(): GcState {
  return { pending: {} };
}

/**
 * Adds `keys` to the pending deletions, not before `notBefore`. A key already pending
 * keeps its earlier time: a later run must not postpone an old deletion forever.
 */
export function scheduleDeletions(
  state: GcState,
  keys: Iterable<string>,
  notBefore: Date,
): { state: GcState; added: string[] } {
  const pending = { ...state.pending };
  const added: string[] = [];
  for (const key of keys) {
    if (pending[key] !== undefined) continue;
    pending[key] = notBefore.toISOString();
    added.push(key);
  }
  return { state: { pending }, added };
}

export interface CollectionPlan {
  /** Due and referenced by nothing live: delete. */
  due: string[];
  /** Pending but needed again (a re-selected version): no longer garbage. */
  rescued: string[];
  /** What stays pending after the deletions. */
  state: GcState;
}

/**
 * Which pending deletions to carry out at `now`: those whose grace has ended and that no
 * live metadata (nor the plan under way) names. Pure.
 */
export function planCollection(
  state: GcState,
  now: Date,
  needed: ReadonlySet<string>,
): CollectionPlan {
  const due: string[] = [];
  const rescued: string[] = [];
  const pending: Record<string, string> = {};
  for (const [key, notBefore] of Object.entries(state.pending)) {
    if (needed.has(key)) rescued.push(key);
    else if (Date.parse(notBefore) <= now.getTime()) due.push(key);
    else pending[key] = notBefore;
  }
  return { due: due.sort(), rescued: rescued.sort(), state: { pending } };
}

export async function readGcState(store: ObjectStore): Promise<GcState> {
  const object = await store.get(AGENTS_GC_KEY);
  if (object === null) return emptyGcState();
  try {
    const value = JSON.parse(await new Response(object.body).text()) as Partial<GcState>;
    const pending: Record<string, string> = {};
    for (const [key, notBefore] of Object.entries(value.pending ?? {})) {
      if (typeof notBefore === "string" && !Number.isNaN(Date.parse(notBefore))) {
        pending[key] = notBefore;
      }
    }
    return { pending };
  } catch {
    // A torn state file loses only pending deletions; the next publish re-finds orphans.
    return emptyGcState();
  }
}

export async function writeGcState(store: ObjectStore, state: GcState): Promise<void> {
  if (Object.keys(state.pending).length === 0) {
    await store.delete([AGENTS_GC_KEY]);
    return;
  }
  const sorted = Object.fromEntries(
    Object.entries(state.pending).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  await store.put(AGENTS_GC_KEY, `${JSON.stringify({ pending: sorted }, null, 1)}\n`, {
    contentType: "application/json",
  });
}

/** Deletes the due keys, then records what stays pending. Returns the keys deleted. */
export async function collectGarbage(
  store: ObjectStore,
  state: GcState,
  now: Date,
  needed: ReadonlySet<string>,
): Promise<{ deleted: string[]; state: GcState }> {
  const plan = planCollection(state, now, needed);
  if (plan.due.length === 0 && plan.rescued.length === 0) return { deleted: [], state };
  // Deleted before the state forgets them: a crash in between only repeats a delete.
  if (plan.due.length > 0) await store.delete(plan.due);
  await writeGcState(store, plan.state);
  return { deleted: plan.due, state: plan.state };
}
