import { defaultClientConditions, defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The generated client (gen/ts, linked as @relance/api) resolves its imports through this
// folder's node_modules, so the app holds one copy of @bufbuild/protobuf. The app compiles its
// TypeScript sources (the package's "source" export condition), not the package's build.
export default defineConfig({
  plugins: [react()],
  resolve: { preserveSymlinks: true, conditions: ["source", ...defaultClientConditions] },
  ssr: { resolve: { conditions: ["source", ...defaultServerConditions] } },
  build: {
    // The binary serves index.html without an inline script (CSP script-src 'self').
    modulePreload: { polyfill: false },
    sourcemap: false,
    // Libraries in a chunk of their own: it changes less often than the app, and stays cached.
    rolldownOptions: {
      output: { codeSplitting: { groups: [{ name: "vendor", test: /node_modules/ }] } },
    },
  },
  server: {
    // npm run dev: the API of `make run` behind the dev server, same origin as in production.
    proxy: {
      "/relance.v1.": "http://127.0.0.1:8080",
      "/grpc.": "http://127.0.0.1:8080",
      "/v1/": "http://127.0.0.1:8080",
      "/openapi.yaml": "http://127.0.0.1:8080",
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
  },
});
