import { defineConfig } from "vitest/config";

// `npm run test:system`: suites that need system services, started by scripts/test-system.sh.
// A missing service fails its suite loudly; nothing here is skipped.
export default defineConfig({
  test: {
    name: "system",
    include: ["test/system/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
