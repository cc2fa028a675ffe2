import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Browser tests: Debian's Chromium driven by playwright-core against the real relance binary
// that scripts/test.sh starts (RELANCE_URL). One file at a time; every wait is bounded.
export default defineConfig({
  // @relance/api from its TypeScript sources, as in vite.config.ts.
  resolve: { preserveSymlinks: true, conditions: ["source", ...defaultServerConditions] },
  ssr: { resolve: { conditions: ["source", ...defaultServerConditions] } },
  test: {
    include: ["e2e/**/*.e2e.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
