import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { demoVars } from "./demo/stayopen-vars.mjs";

// Tests run inside workerd with real KV, Cache API, Durable Objects and alarms.
// Origins are real loopback servers started by the global setup, never stubs of our own code.
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        // The demo shop's settings (wrangler.toml ships none); tests override per shop with shopEnv().
        bindings: {
          ...demoVars,
          ADMIN_TOKEN: "test-admin-token-0123456789",
          REPLAY_SECRET: "whsec_dGVzdC1yZXBsYXktc2VjcmV0LTAxMjM0NTY3ODk=",
          // Set, so the suite runs as a platform with no shop registered (single-shop mode) and the registry
          // can seal secrets; test/support/registry.ts registers shops per test file (storage is per file).
          PLATFORM_TOKEN: "test-platform-token-0123456789abcdef",
        },
      },
    }),
  ],
  test: {
    globalSetup: ["./test/support/global-setup.ts"],
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    exclude: ["test/e2e/**", "node_modules/**"],
    testTimeout: 20_000,
    // Background work (alarms, waitUntil) may still log while a test file's runtime shuts down; logs go
    // straight to workerd's output instead of through vitest's RPC, which fails on a late log line.
    disableConsoleIntercept: true,
  },
});
