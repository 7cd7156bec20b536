/**
 * The one-way house (docs/architecture.md): src/ in layers, an import only points down a layer or
 * sideways inside one folder. Layers, bottom to top:
 *   0 foundation  http/ config/ log time shared-copy
 *   1 origin/     fetch with deadline, classify, breaker, monitor
 *   2 domains     catalog/ coverage/ orders/ stock/ payments/ notify/ control/ limits/ metrics/ incidents/ feed/
 *   3 shopper/    pages, rendered from data they are given
 *   4 flows       recovery/ outage/ readiness/ static-backup/ checkout/ status/
 *   5 surfaces    admin/ platform/ routes/ index.ts
 * Domains may use one another (an order reserves stock) as long as no two folders need each other:
 * every cycle, between files or between folders, is an error.
 */
const layers = [
  ["http", "config", "log", "time", "shared-copy"],
  ["origin"],
  ["catalog", "coverage", "orders", "stock", "payments", "notify", "control", "limits", "metrics", "incidents", "feed"],
  ["shopper"],
  ["recovery", "outage", "readiness", "static-backup", "checkout", "status"],
  ["admin", "platform", "routes", "index"],
];
const folder = (name) => `^src/${name}(?:/|\\.tsx?$)`;
const above = (level) => layers.slice(level + 1).flat();

module.exports = {
  forbidden: [
    ...layers.slice(0, -1).map((names, level) => ({
      name: `layer-${level}-imports-only-down`,
      comment: `${names.join(", ")} may only import from lower layers (or inside their own folder)`,
      severity: "error",
      from: { path: names.map(folder) },
      to: { path: above(level).map(folder) },
    })),
    {
      name: "no-circular",
      comment: "no import cycles between files (type-only imports included)",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "no-folder-cycles",
      comment: "no import cycles between the folders of src/",
      severity: "error",
      scope: "folder",
      from: { path: "^src/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "\\.d\\.ts$" },
  },
};
