import { describe, expect, it } from "vitest";
import { createMetrics, METRICS_CONTENT_TYPE } from "./metrics.ts";

/** The value of one sample line, or undefined when the line is absent. */
function sampleValue(text: string, series: string): number | undefined {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("createMetrics", () => {
  it("counts requests by status code and adds up body bytes", () => {
    const metrics = createMetrics();
    metrics.recordRequest(200);
    metrics.recordRequest(200);
    metrics.recordRequest(404);
    metrics.recordBytes(150);
    metrics.recordBytes(7);
    const text = metrics.render();
    expect(sampleValue(text, 'streamgate_http_requests_total{code="200"}')).toBe(2);
    expect(sampleValue(text, 'streamgate_http_requests_total{code="404"}')).toBe(1);
    expect(sampleValue(text, "streamgate_http_response_bytes_total")).toBe(157);
  });

  it("records sync outcomes, durations and the last success per job", () => {
    let now = 1_700_000_000_000;
    const metrics = createMetrics({ now: () => now });
    metrics.recordSync("agents", "ok", 1500);
    now += 60_000;
    metrics.recordSync("agents", "failed", 500);
    metrics.recordSync("images", "failed", 250);
    const text = metrics.render();
    expect(sampleValue(text, 'streamgate_sync_runs_total{job="agents",outcome="ok"}')).toBe(1);
    expect(sampleValue(text, 'streamgate_sync_runs_total{job="agents",outcome="failed"}')).toBe(1);
    expect(sampleValue(text, 'streamgate_sync_runs_total{job="images",outcome="ok"}')).toBe(0);
    expect(sampleValue(text, 'streamgate_sync_duration_seconds_sum{job="agents"}')).toBe(2);
    expect(sampleValue(text, 'streamgate_sync_duration_seconds_count{job="agents"}')).toBe(2);
    expect(sampleValue(text, 'streamgate_sync_last_success_timestamp_seconds{job="agents"}')).toBe(
      1_700_000_000,
    );
    expect(
      sampleValue(text, 'streamgate_sync_last_success_timestamp_seconds{job="images"}'),
    ).toBeUndefined();
  });

  it("renders valid exposition text: HELP and TYPE once per family, samples after them", () => {
    const metrics = createMetrics();
    metrics.recordRequest(200);
    metrics.recordSync("agents", "ok", 10);
    const lines = metrics.render().trimEnd().split("\n");
    const families = new Set<string>();
    for (const line of lines) {
      if (line.startsWith("# TYPE ")) {
        const [, , name = "", type] = line.split(" ");
        expect(families.has(name), name).toBe(false);
        expect(["counter", "gauge", "summary"]).toContain(type);
        families.add(name);
      } else if (!line.startsWith("# HELP ")) {
        expect(line).toMatch(/^[a-z_]+(\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\})? -?[\d.e+]+$/);
        const name = line.split(/[{ ]/)[0] ?? "";
        expect(
          [...families].some((family) => name.startsWith(family)),
          name,
        ).toBe(true);
      }
    }
    expect(METRICS_CONTENT_TYPE).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});
