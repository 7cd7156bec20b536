// `npm run config:doc`: writes docs/configuration.md from the configuration schema (src/config/doc.ts renders it;
// test/config/schema.test.ts fails while the committed page differs). esbuild (wrangler's own bundler) turns the
// TypeScript into one module in memory, so the page is rendered by exactly the code the worker runs.
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { format, resolveConfig } from "prettier";

const root = fileURLToPath(new URL("..", import.meta.url));
const target = `${root}docs/configuration.md`;

const bundle = await build({
  entryPoints: [`${root}src/config/doc.ts`],
  bundle: true,
  format: "esm",
  platform: "neutral",
  write: false,
  logLevel: "error",
});
const source = bundle.outputFiles[0].text;
const { renderConfigurationDoc } = await import(
  `data:text/javascript;base64,${Buffer.from(source).toString("base64")}`
);
const page = renderConfigurationDoc();

// The test compares the page with the renderer's output, and CI checks formatting: both must hold at once.
const formatted = await format(page, { ...(await resolveConfig(target)), filepath: target });
if (formatted !== page) {
  console.error("src/config/doc.ts renders a page prettier would change: fix the renderer, not the page");
  process.exit(1);
}
await writeFile(target, page);
console.log("wrote docs/configuration.md");
