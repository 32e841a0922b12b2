import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { serveUpstream } from "./test/workers/upstream-outbound.ts";

// `npm test`: hermetic suites only — Node, gpgv and workerd (from npm). System suites that
// need Swift, Keystone+Glance or Chromium live in vitest.system.config.ts.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          exclude: ["test/system/**", "test/workers/**", "test/reliability/**"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: { STREAMGATE_ADMIN_TOKEN: "workers-test-token" },
              outboundService: serveUpstream,
            },
          }),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          globalSetup: ["test/workers/upstream-setup.ts"],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
