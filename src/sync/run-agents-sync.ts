import pLimit from "p-limit";
import type { AgentsJobConfig } from "../config/schema.ts";
import { type AgentFilter, selectAgentItems } from "../core/index.ts";
import type { ObjectInfo, ObjectStore } from "../store/object-store.ts";
import { isUpstreamError, type Upstream } from "../upstream/index.ts";
import {
  type AgentsTree,
  buildExactTree,
  buildFilteredTree,
  type TarballSpec,
  treePaths,
} from "./build-tree.ts";
import { copyTarballs } from "./copy-tarballs.ts";
import { AgentsSyncConfigError, AgentsSyncError, messageOf, SyncRefusal } from "./errors.ts";
import {
  collectGarbage,
  type GcState,
  planCollection,
  readGcState,
  scheduleDeletions,
  writeGcState,
} from "./gc.ts";
import { AGENTS_LOCK_KEY, AGENTS_PREFIX, agentsKey } from "./layout.ts";
import { createLeaseLock, type LeaseLock, LockHeldError, LockLostError } from "./lease-lock.ts";
import { type AgentsPlan, planAgentsSync } from "./plan.ts";
import { type AgentsProgress, clearProgress, readProgress, writeProgress } from "./progress.ts";
import { publishPlan } from "./publish.ts";
import { readUpstreamTree } from "./read-upstream.ts";
import {
  type AgentsSyncFilters,
  type AgentsSyncReport,
  emptyReport,
  type SyncFailure,
} from "./report.ts";
import { readServedTree, servedPaths } from "./served-tree.ts";
import { sha256Hex } from "./sha256.ts";
import type { Sleep } from "./sleep.ts";
import { verifyHeldTarballs } from "./verify-held.ts";

/** The `agents` configuration block fields a sync reads (`parseConfig` fills defaults). */
export type AgentsSyncConfig = Pick<
  AgentsJobConfig,
  | "mode"
  | "streams"
  | "minVersion"
  | "maxVersion"
  | "arches"
  | "os"
  | "legacyTools"
  | "keep"
  | "pins"
  | "allowUnsignedUpstream"
  | "concurrency"
  | "lockLease"
  | "graceSeconds"
>;

export type AgentsSyncPhase = "lock" | "read" | "plan" | "verify" | "copy" | "publish" | "gc";

/** Where a sync is, for progress bars and logs. Bytes and files count tarballs only. */
export interface AgentsSyncProgress {
  phase: AgentsSyncPhase;
  files: { done: number; total: number };
  bytes: { done: number; total: number };
}

export interface AgentsSyncOptions {
  store: ObjectStore;
  /** Created with the configured key (`createUpstream({ base, keys, allowUnsigned })`). */
  upstream: Upstream;
  config: AgentsSyncConfig;
  /**
   * Stops the run: no new copies start, copies under way are abandoned, and the run
   * resolves as `incomplete` (not failed); the next run resumes. A Worker passes its time
   * budget here (`AbortSignal.timeout`).
   */
  signal?: AbortSignal;
  now?: () => Date;
  onProgress?: (progress: AgentsSyncProgress) => void;
  /** Plan only: read upstream and the store, change nothing (no lock, no state). */
  dryRun?: boolean;
  /** Re-hash held tarballs and copy again those whose bytes differ. */
  verifyExisting?: boolean;
  /** Wait for another sync's lock instead of failing. */
  wait?: boolean;
  /** Lock owner shown to a sync that finds the lock held. Default `streamgate <uuid>`. */
  owner?: string;
  /** Whole-file retries of a tarball whose body failed mid-way. Default 3. */
  retries?: number;
  /** First whole-file retry delay (doubles). Default 2 000 ms. */
  retryDelayMs?: number;
  /** Waits (retries, lock polling); tests inject one that does not. */
  sleep?: Sleep;
}

interface Checked {
  mode: "filtered" | "exact";
  filter: AgentFilter;
  filters: AgentsSyncFilters;
  concurrency: number;
  leaseMs: number;
  graceMs: number;
}

/** Heads issued at once when taking stock; cheap requests, so more than copies. */
const HEAD_CONCURRENCY = 32;

function checkConfig(config: AgentsSyncConfig): Checked {
  const { mode } = config;
  if (mode !== "filtered" && mode !== "exact") {
    throw new AgentsSyncConfigError(`Expected \`mode\` to be filtered or exact, got ${mode}`);
  }
  if (config.streams.length === 0) {
    throw new AgentsSyncConfigError("Expected `streams` to name at least one stream");
  }
  if (mode === "exact" && config.allowUnsignedUpstream) {
    throw new AgentsSyncConfigError(
      "allowUnsignedUpstream (--allow-unsigned-upstream) is only allowed in filtered mode: exact mode serves upstream's signed files, which must verify",
    );
  }
  const positive = (name: string, value: number, min: number) => {
    if (!Number.isSafeInteger(value) || value < min) {
      throw new AgentsSyncConfigError(
        `Expected \`${name}\` to be an integer from ${min} and up, got ${value}`,
      );
    }
  };
  positive("concurrency", config.concurrency, 1);
  positive("lockLease", config.lockLease, 1);
  positive("graceSeconds", config.graceSeconds, 0);
  const filter: AgentFilter =
    mode === "exact"
      ? { streams: config.streams, legacyTools: config.legacyTools }
      : {
          streams: config.streams,
          minVersion: config.minVersion,
          ...(config.maxVersion === undefined ? {} : { maxVersion: config.maxVersion }),
          arches: config.arches,
          oses: config.os,
          legacyTools: config.legacyTools,
          keep: config.keep,
          pins: config.pins,
        };
  try {
    selectAgentItems([], filter);
  } catch (error) {
    throw new AgentsSyncConfigError(messageOf(error));
  }
  const filters: AgentsSyncFilters =
    mode === "exact"
      ? { streams: [...config.streams], legacyTools: config.legacyTools }
      : {
          streams: [...config.streams],
          legacyTools: config.legacyTools,
          minVersion: config.minVersion,
          ...(config.maxVersion === undefined ? {} : { maxVersion: config.maxVersion }),
          arches: [...config.arches],
          os: [...config.os],
          keep: config.keep,
          pins: [...config.pins],
        };
  return {
    mode,
    filter,
    filters,
    concurrency: config.concurrency,
    leaseMs: config.lockLease * 1000,
    graceMs: config.graceSeconds * 1000,
  };
}

async function headAll(
  store: ObjectStore,
  paths: Iterable<string>,
): Promise<Map<string, ObjectInfo | null>> {
  const limit = pLimit(HEAD_CONCURRENCY);
  const unique = [...new Set(paths)];
  const infos = await Promise.all(unique.map((path) => limit(() => store.head(agentsKey(path)))));
  return new Map(unique.map((path, index) => [path, infos[index] ?? null]));
}

function failureOf(error: unknown): SyncFailure {
  if (error instanceof SyncRefusal) return error.failure;
  if (isUpstreamError(error))
    return { kind: "upstream", path: error.url, message: messageOf(error) };
  if (error instanceof LockHeldError || error instanceof LockLostError) {
    return { kind: "lock", path: error.key, message: messageOf(error) };
  }
  if (error instanceof Error && error.name.endsWith("StoreError")) {
    return { kind: "store", message: messageOf(error) };
  }
  if (error instanceof Error && /Error$/.test(error.name) && "key" in error) {
    return { kind: "store", message: messageOf(error) };
  }
  return { kind: "internal", message: messageOf(error) };
}

function sum(tarballs: readonly TarballSpec[]): number {
  return tarballs.reduce((total, tarball) => total + tarball.size, 0);
}

function keysOf(paths: Iterable<string>): Set<string> {
  return new Set([...paths].map(agentsKey));
}

/**
 * Mirrors Juju agent binaries from `upstream` into `store` under `juju/tools/`:
 * plan → copy → publish, under the store's lease lock.
 *
 * 1. **Read**: the upstream index and the product files of the mirrored content ids,
 *    every `.sjson` verified by the upstream's key; the tree the store serves now.
 * 2. **Plan** (pure): the tree to publish (filtered: our own unsigned `.json`, exact:
 *    upstream's bytes), diffed against the store — tarballs to copy, metadata to write,
 *    objects that leave the tree.
 * 3. **Copy**: tarballs streamed into the store, size and sha256 checked on the fly.
 * 4. **Publish**: product files, then the index files (the switch), then removals.
 * 5. **GC**: what left the tree is deleted once `graceSeconds` have passed and nothing
 *    live names it.
 *
 * Resolves with the report (`published`, `unchanged`, `incomplete`, `dry-run`).
 *
 * @throws {AgentsSyncConfigError} a configuration that makes no sense (nothing touched).
 * @throws {AgentsSyncError} a failed run (`error.report`); nothing was published.
 */
export async function runAgentsSync(options: AgentsSyncOptions): Promise<AgentsSyncReport> {
  const checked = checkConfig(options.config);
  const { upstream } = options;
  const now = options.now ?? (() => new Date());
  const dryRun = options.dryRun ?? false;
  const started = now();
  const report = emptyReport({
    mode: checked.mode,
    dryRun,
    upstream: upstream.url,
    filters: checked.filters,
    startedAt: started,
  });
  const lost = new AbortController();
  const signal =
    options.signal === undefined ? lost.signal : AbortSignal.any([options.signal, lost.signal]);
  const run = createRun({ options, checked, report, signal, lost, now });
  let failure: unknown;
  try {
    await run.execute();
  } catch (error) {
    failure = error;
  }
  await run.finish();
  report.finishedAt = now().toISOString();
  report.durationsMs.total = now().getTime() - started.getTime();
  if (failure === undefined) return report;
  const interrupted =
    options.signal?.aborted === true && !lost.signal.aborted && !(failure instanceof SyncRefusal);
  if (interrupted) {
    report.outcome = "incomplete";
    report.warnings.push(
      `stopped before publishing (${messageOf(options.signal?.reason)}); the next run resumes`,
    );
    return report;
  }
  report.outcome = "failed";
  report.published = false;
  report.failures.push(failureOf(lost.signal.aborted ? lost.signal.reason : failure));
  throw new AgentsSyncError(report, failure);
}

interface RunContext {
  options: AgentsSyncOptions;
  checked: Checked;
  report: AgentsSyncReport;
  signal: AbortSignal;
  lost: AbortController;
  now: () => Date;
}

function createRun(context: RunContext) {
  const { options, checked, report, signal, lost, now } = context;
  const { store, upstream } = options;
  const dryRun = options.dryRun ?? false;
  let lock: LeaseLock | undefined;
  let renewal: ReturnType<typeof setInterval> | undefined;
  let tookOver = false;
  const progressFiles = { done: 0, total: 0 };
  const progressBytes = { done: 0, total: 0 };

  const emit = (phase: AgentsSyncProgress["phase"]) => {
    try {
      options.onProgress?.({ phase, files: { ...progressFiles }, bytes: { ...progressBytes } });
    } catch {
      // A broken progress display must not break the sync.
    }
  };

  async function timed<T>(phase: keyof AgentsSyncReport["durationsMs"], work: () => Promise<T>) {
    const start = now().getTime();
    try {
      return await work();
    } finally {
      report.durationsMs[phase] += now().getTime() - start;
    }
  }

  async function acquireLock(): Promise<void> {
    const owner = options.owner ?? `streamgate ${crypto.randomUUID()}`;
    lock = createLeaseLock({
      store,
      key: AGENTS_LOCK_KEY,
      owner,
      leaseMs: checked.leaseMs,
      now,
      ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
    });
    const acquired = await lock.acquire({
      wait: options.wait ?? false,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    tookOver = acquired.tookOverFrom !== undefined;
    report.lock = {
      owner,
      mode: lock.mode,
      ...(acquired.tookOverFrom === undefined ? {} : { tookOverFrom: acquired.tookOverFrom.owner }),
    };
    if (acquired.tookOverFrom !== undefined) {
      report.warnings.push(
        `took over the lock of ${JSON.stringify(acquired.tookOverFrom.owner)}, whose lease expired at ${acquired.tookOverFrom.expiresAt} (a sync that was killed?)`,
      );
    }
    if (lock.mode === "best-effort") {
      report.warnings.push(
        `the ${store.name} store has no conditional writes: the lock is best effort (two syncs started within a moment of each other could both run)`,
      );
    }
    let renewing = false;
    let expiresAt = acquired.expiresAt.getTime();
    const held = lock;
    renewal = setInterval(
      () => {
        if (renewing) return;
        renewing = true;
        held
          .renew()
          .then((next) => {
            expiresAt = next.getTime();
          })
          .catch((error: unknown) => {
            if (error instanceof LockLostError) lost.abort(error);
            else if (now().getTime() >= expiresAt) {
              lost.abort(new LockLostError(AGENTS_LOCK_KEY, `renewal failed: ${messageOf(error)}`));
            }
          })
          .finally(() => {
            renewing = false;
          });
      },
      Math.max(1000, Math.floor(checked.leaseMs / 3)),
    );
    (renewal as { unref?: () => void }).unref?.();
  }

  async function readAndPlan() {
    const [served, gcState, progress] = await timed("read", () =>
      Promise.all([readServedTree(store), readGcState(store), readProgress(store)]),
    );
    emit("read");
    const upstreamTree = await timed("read", () =>
      readUpstreamTree(upstream, {
        mode: checked.mode,
        streams: checked.filter.streams ?? [],
        legacyTools: checked.filter.legacyTools ?? false,
        signal,
        concurrency: Math.min(checked.concurrency, 4),
      }),
    );
    const { index } = upstreamTree;
    const indexSha256 = await sha256Hex(index.raw);
    report.upstream = {
      url: upstream.url,
      index: index.path,
      signed: index.signed,
      ...(index.signature === undefined
        ? {}
        : { signer: { keyId: index.signature.keyId, fingerprint: index.signature.fingerprint } }),
      indexSha256,
    };
    report.warnings.push(...upstreamTree.warnings);
    if (checked.mode === "exact") {
      const unsigned = [index, ...upstreamTree.products.values()].find((file) => !file.signed);
      if (unsigned !== undefined) {
        throw new SyncRefusal({
          kind: "metadata",
          path: unsigned.path,
          message: `exact mode publishes upstream's signed files, but ${unsigned.path} is not signed`,
        });
      }
    }
    signal.throwIfAborted();

    const tree = await timed("plan", () =>
      checked.mode === "exact"
        ? buildExactTree(upstreamTree)
        : buildFilteredTree(upstreamTree, checked.filter),
    );
    const tarballs = [...tree.tarballs.values()];
    report.selected = {
      versions: tree.selection.versions,
      items: tree.selection.items,
      tarballs: tarballs.length,
      bytes: sum(tarballs),
      latest: tree.selection.latest,
      missingPins: tree.selection.missingPins,
    };
    if (tree.selection.missingPins.length > 0) {
      report.warnings.push(
        `pinned version(s) ${tree.selection.missingPins.join(", ")} not found upstream in the selected streams, arches and OSes`,
      );
    }
    const [tarballHeads, metadataHeads] = await timed("plan", () =>
      Promise.all([
        headAll(store, tree.tarballs.keys()),
        headAll(store, [
          ...tree.products.map((file) => file.path),
          ...tree.indexes.map((file) => file.path),
          ...tree.removeAfterSwitch,
        ]),
      ]),
    );
    let corrupt: Set<string> | undefined;
    if (options.verifyExisting === true) {
      const held = tarballs.filter((spec) => {
        const info = tarballHeads.get(spec.path);
        return info != null && info.size === spec.size && info.sha256 === spec.sha256;
      });
      progressFiles.total = held.length;
      progressBytes.total = sum(held);
      emit("verify");
      corrupt = await timed("plan", () =>
        verifyHeldTarballs(held, {
          store,
          concurrency: checked.concurrency,
          signal,
          onBytes: (delta) => {
            progressBytes.done += delta;
            emit("verify");
          },
        }),
      );
      report.transfer.verified = held.length;
      for (const path of corrupt) {
        report.warnings.push(
          `${path} in the store does not hash to its recorded sha256: copied again`,
        );
      }
    }
    const plan = planAgentsSync({ tree, tarballHeads, metadataHeads, served, corrupt });
    const planId = await sha256Hex(
      new TextEncoder().encode(
        JSON.stringify({
          upstream: upstream.url,
          indexSha256,
          mode: checked.mode,
          filters: checked.filters,
        }),
      ),
    );
    report.resumed = progress !== null && progress.planId === planId;
    const due =
      served.problems.length === 0
        ? planCollection(gcState, now(), keysOf([...servedPaths(served), ...treePaths(tree)])).due
        : [];
    report.plan = {
      copies: plan.copies.map(({ path, size, sha256, reason }) => ({ path, size, sha256, reason })),
      copyBytes: sum(plan.copies),
      writes: plan.writes.map((file) => ({
        path: file.path,
        bytes: file.bytes.byteLength,
        kind: file.kind,
      })),
      deletes: [
        ...plan.removeNow.map((path) => ({ key: agentsKey(path), when: "now" as const })),
        ...due.map((key) => ({ key, when: "now" as const })),
        ...plan.retire.map((path) => ({
          key: agentsKey(path),
          when: checked.graceMs === 0 ? ("now" as const) : ("after-grace" as const),
        })),
      ],
    };
    report.transfer.skipped = plan.held.length;
    report.transfer.skippedBytes = sum(plan.held);
    emit("plan");
    return { served, gcState, progress, tree, plan, planId };
  }

  async function copy(
    plan: AgentsPlan,
    tree: AgentsTree,
    planId: string,
    progress: AgentsProgress | null,
  ): Promise<boolean> {
    const startedAt = progress?.planId === planId ? progress.startedAt : now().toISOString();
    const saveProgress = (remaining: readonly TarballSpec[]) =>
      writeProgress(store, {
        planId,
        upstream: upstream.url,
        mode: checked.mode,
        startedAt,
        updatedAt: now().toISOString(),
        total: { tarballs: tree.tarballs.size, bytes: report.selected.bytes },
        tarballs: [...tree.tarballs.keys()].map(agentsKey),
        remaining: remaining.map((tarball) => tarball.path),
      });
    await saveProgress(plan.copies);
    progressFiles.done = 0;
    progressFiles.total = plan.copies.length;
    progressBytes.done = 0;
    progressBytes.total = sum(plan.copies);
    emit("copy");
    const result = await timed("copy", () =>
      copyTarballs(plan.copies, {
        store,
        upstream,
        concurrency: checked.concurrency,
        signal,
        ...(options.retries === undefined ? {} : { retries: options.retries }),
        ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
        ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
        onBytes: (delta) => {
          progressBytes.done += delta;
          emit("copy");
        },
        onCopied: () => {
          progressFiles.done++;
          emit("copy");
        },
        onRetry: (tarball, retry, error) => {
          report.warnings.push(`retrying ${tarball.path} (retry ${retry}): ${messageOf(error)}`);
        },
      }),
    );
    report.transfer.copied = result.copied.length;
    report.transfer.bytes = result.bytes;
    report.transfer.retries = result.retries;
    report.transfer.remaining = result.remaining.length;
    report.transfer.remainingBytes = sum(result.remaining);
    if (result.failure !== undefined) {
      const { error } = result.failure;
      if (error instanceof SyncRefusal && error.failure.kind === "tarball") {
        // Upstream serves bytes that contradict its signed metadata: leave the store as
        // it was. Copies that verified are dropped too, so a refused sync changes nothing.
        const added = result.copied.filter(
          (tarball) => plan.copies.find((copy) => copy.path === tarball.path)?.reason === "missing",
        );
        if (added.length > 0) await store.delete(added.map((tarball) => agentsKey(tarball.path)));
        await clearProgress(store);
        report.transfer.copied = 0;
        report.transfer.bytes = 0;
      } else {
        await saveProgress(result.remaining);
      }
      throw error;
    }
    if (result.remaining.length > 0) {
      await saveProgress(result.remaining);
      signal.throwIfAborted();
      throw new Error("[streamgate] [sync] copies stopped without a failure or an abort");
    }
    return true;
  }

  async function collect(state: GcState, needed: Set<string>): Promise<GcState> {
    const collected = await collectGarbage(store, state, now(), needed);
    report.gc.deleted.push(...collected.deleted);
    return collected.state;
  }

  async function orphans(needed: Set<string>, state: GcState): Promise<string[]> {
    const found: string[] = [];
    for await (const info of store.list(AGENTS_PREFIX)) {
      if (!needed.has(info.key) && state.pending[info.key] === undefined) found.push(info.key);
    }
    return found;
  }

  return {
    async execute(): Promise<void> {
      if (!dryRun) {
        emit("lock");
        await timed("lock", acquireLock);
      }
      const { served, gcState, progress, tree, plan, planId } = await readAndPlan();
      if (dryRun) {
        report.outcome = "dry-run";
        report.transfer.remaining = plan.copies.length;
        report.transfer.remainingBytes = sum(plan.copies);
        return;
      }
      const wanted = keysOf(treePaths(tree));
      const gcSafe = served.problems.length === 0;
      if (!gcSafe) {
        report.warnings.push(
          `the served tree could not be fully read (${served.problems.join("; ")}): nothing is garbage-collected this run`,
        );
      }
      let state = gcState;
      if (gcSafe) {
        emit("gc");
        state = await timed("gc", () =>
          collect(state, new Set([...keysOf(servedPaths(served)), ...wanted])),
        );
      }

      if (plan.copies.length > 0) await copy(plan, tree, planId, progress);
      if (lost.signal.aborted) throw lost.signal.reason;

      emit("publish");
      await timed("publish", () => publishPlan(store, plan));
      report.published = plan.changesMetadata;

      if (gcSafe) {
        emit("gc");
        state = await timed("gc", async () => {
          const graceEnds = new Date(now().getTime() + checked.graceMs);
          let next = state;
          const retiring = plan.retire.map(agentsKey);
          // After a crash, a takeover or a publish, look for what no tree names any more.
          const sweep = report.published || progress !== null || tookOver;
          const found = sweep ? await orphans(wanted, next) : [];
          const scheduled = scheduleDeletions(next, [...retiring, ...found], graceEnds);
          next = scheduled.state;
          report.gc.scheduled = scheduled.added.length;
          if (scheduled.added.length > 0 && checked.graceMs > 0) await writeGcState(store, next);
          return collect(next, wanted);
        });
      }
      report.gc.pending = Object.keys(state.pending).length;
      if (progress !== null || plan.copies.length > 0) await clearProgress(store);
      report.outcome = report.published ? "published" : "unchanged";
    },

    async finish(): Promise<void> {
      if (renewal !== undefined) clearInterval(renewal);
      if (lock === undefined) return;
      try {
        await lock.release();
      } catch (error) {
        report.warnings.push(`could not release the lock: ${messageOf(error)}`);
      }
    },
  };
}
