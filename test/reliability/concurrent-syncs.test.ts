/**
 * Two `streamgate sync agents` started at the same instant on one fs store: the lease lock
 * (a conditional create in the store) lets exactly one run; the other exits 1 naming the
 * holder. A lock left behind by a SIGKILLed sync blocks others until its lease runs out,
 * then the next sync takes it over and completes.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeUpstream } from "../../scripts/make-upstream.ts";
import { createFsStore } from "../../src/store/fs.ts";
import type { ObjectStore } from "../../src/store/object-store.ts";
import { servedTreeProblems } from "../sync/check-served.ts";
import { fixtureKey } from "../sync/support.ts";
import { runStreamgate, spawnStreamgate } from "./children.ts";
import { reportFigures } from "./figures.ts";
import { namedTarballKeys, storedTarballKeys } from "./served-state.ts";
import { type SlowUpstream, serveSlowUpstream } from "./slow-upstream.ts";
import { type SuiteContext, suiteContext, workDir } from "./suite-context.ts";

const ARCHES = ["amd64", "arm64"];
const LEASE_SECONDS = 5;
const RACES = 5;
/** One more version per race, so the winner always has tarballs to download. */
const VERSIONS = ["3.4.6", "3.5.3", "3.5.4", "3.5.5", "3.6.0", "3.6.9", "2.9.51"];
const LOCK_MESSAGE = /another sync holds the lock \.streamgate\/lock\/agents: owner "([^"]+)"/;

let context: SuiteContext;
let dir: string;
let store: ObjectStore;
let upstream: SlowUpstream;
let args: string[];

async function publish(versions: string[]): Promise<void> {
  const fixture = await makeUpstream({
    out: join(dir, "upstream", "juju", "tools"),
    signingKey: await fixtureKey(),
    versions,
    arches: ARCHES,
    tarballSize: 128 * 1024,
  });
  upstream?.track(fixture);
  if (upstream === undefined) {
    // Slow enough that the winner holds the lock well after the loser asks for it.
    upstream = await serveSlowUpstream(fixture, { chunkBytes: 16 * 1024, delayMs: 40 });
    await writeFile(join(dir, "upstream-key.asc"), fixture.publicKey);
  }
}

beforeAll(async () => {
  context = suiteContext();
  dir = join(workDir(context), "concurrent");
  const root = join(dir, "store");
  store = createFsStore({ root });
  await publish(VERSIONS.slice(0, 1));
  args = [
    "sync",
    "agents",
    "--upstream",
    upstream.base,
    "--upstream-key",
    join(dir, "upstream-key.asc"),
    "--store",
    `file:${root}`,
    "--min-version",
    "2.9",
    "--keep",
    "9",
    "--arch",
    ARCHES.join(","),
    "--lock-lease",
    String(LEASE_SECONDS),
    "--json",
  ];
});

afterAll(async () => {
  await upstream?.close();
});

describe("two syncs at once on the fs store", () => {
  it("lets exactly one run in every race; the other exits 1 naming the holder", async () => {
    const rounds: { codes: (number | null)[]; loserNamesWinner: boolean }[] = [];
    for (let race = 1; race <= RACES; race++) {
      await publish(VERSIONS.slice(0, race + 1));
      const children = [0, 1].map((n) =>
        spawnStreamgate(context, args, { label: `concurrent-race-${race}-${n}`, cwd: dir }),
      );
      const results = await Promise.all(children.map((child) => child.exited));
      const winner = results.findIndex((result) => result.code === 0);
      const loser = results[1 - winner];
      const holder = LOCK_MESSAGE.exec(loser?.stderr ?? "")?.[1] ?? "";
      rounds.push({
        codes: results.map((result) => result.code),
        loserNamesWinner: holder.includes(`(pid ${children[winner]?.pid},`),
      });
      expect(await servedTreeProblems(store)).toEqual([]);
    }
    const single = rounds.filter((round) => [...round.codes].sort().join() === "0,1").length;
    const named = rounds.filter((round) => round.loserNamesWinner).length;
    reportFigures(
      "concurrent-syncs",
      `${RACES} races of two syncs started together, ${single} with exactly one winner, ${named} losers exited 1 naming the winner's lock`,
    );
    expect(single).toBe(RACES);
    expect(named).toBe(RACES);
  });

  it("takes over the lock of a SIGKILLed sync once its lease ran out", async () => {
    await publish(VERSIONS);
    const killed = spawnStreamgate(context, args, { label: "concurrent-killed", cwd: dir });
    const stop = upstream.onEvent((event) => {
      if (event.kind === "tarball-bytes") killed.kill();
    });
    const dead = await killed.exited;
    stop();
    expect(dead.signal).toBe("SIGKILL");

    const refused = await runStreamgate(context, args, { label: "concurrent-refused", cwd: dir });
    expect(refused.code).toBe(1);
    expect(LOCK_MESSAGE.exec(refused.stderr)?.[1]).toContain(`(pid ${killed.pid},`);
    expect(refused.stderr).toMatch(
      /lease expires at .* unless renewed; run again later or pass --wait/,
    );

    const started = Date.now();
    const next = await runStreamgate(context, [...args, "--wait"], {
      label: "concurrent-takeover",
      cwd: dir,
    });
    const waited = (Date.now() - started) / 1000;
    expect(next.code, next.stderr).toBe(0);
    const report = JSON.parse(next.stdout);
    expect(report.lock.tookOverFrom).toContain(`(pid ${killed.pid},`);
    expect(report.outcome).toBe("published");
    expect(await servedTreeProblems(store)).toEqual([]);
    expect([...(await storedTarballKeys(store))].sort()).toEqual(
      [...(await namedTarballKeys(store))].sort(),
    );
    reportFigures(
      "lock-takeover",
      `a SIGKILLed sync's lock refused a sync without --wait (exit 1, holder named), then was taken over by a sync with --wait ${waited.toFixed(1)} s later (lease ${LEASE_SECONDS} s), which published generation ${report.generation}`,
    );
  });
});
