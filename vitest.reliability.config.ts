import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** The secrets case greps what every other case produced, so it runs last. */
class SecretsLast extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const last = (file: TestSpecification) => file.moduleId.endsWith("/secrets.test.ts");
    return [...sorted.filter((file) => !last(file)), ...sorted.filter(last)];
  }
}

// `npm run test:reliability`: real processes on loopback (CLI children, `streamgate serve`,
// Swift started once by the global setup) proving that a mirror never serves a torn tree,
// never loses a good generation, never lets anyone in. Every loop is bounded.
export default defineConfig({
  test: {
    name: "reliability",
    include: ["test/reliability/**/*.test.ts"],
    globalSetup: ["test/reliability/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 240_000,
    teardownTimeout: 60_000,
    sequence: { sequencer: SecretsLast },
  },
});
