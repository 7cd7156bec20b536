import { describe, expect, it } from "vitest";
import { formatPrometheus } from "../../src/metrics/prometheus";

describe("formatPrometheus", () => {
  it("writes HELP and TYPE lines and one line per series", () => {
    const text = formatPrometheus([
      {
        name: "stayopen_requests_total",
        type: "counter",
        help: "Responses by source.",
        samples: [{ labels: { shop: "default", source: "origin" }, value: 3 }],
      },
      { name: "stayopen_origin_state", type: "gauge", help: "State.", samples: [{ labels: {}, value: 1 }] },
    ]);
    expect(text).toBe(
      [
        "# HELP stayopen_requests_total Responses by source.",
        "# TYPE stayopen_requests_total counter",
        'stayopen_requests_total{shop="default",source="origin"} 3',
        "# HELP stayopen_origin_state State.",
        "# TYPE stayopen_origin_state gauge",
        "stayopen_origin_state 1",
        "",
      ].join("\n"),
    );
  });

  it("escapes backslashes, quotes and newlines in label values and help text", () => {
    const text = formatPrometheus([
      { name: "m", type: "counter", help: "a\\b\nc", samples: [{ labels: { path: 'x"y\\z\n' }, value: 1 }] },
    ]);
    expect(text).toContain("# HELP m a\\\\b\\nc");
    expect(text).toContain('m{path="x\\"y\\\\z\\n"} 1');
  });

  it("lists a family with no samples by its HELP and TYPE alone", () => {
    expect(formatPrometheus([{ name: "m", type: "counter", help: "h", samples: [] }])).toBe(
      "# HELP m h\n# TYPE m counter\n",
    );
  });
});
