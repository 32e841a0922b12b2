import { describe, expect, it } from "vitest";
import { BundleInputError } from "./errors.ts";
import { parseSince, resolveSince } from "./since.ts";

describe("parseSince", () => {
  it("reads a bare number as a generation of the agents job", () => {
    expect(parseSince("5")).toEqual({ job: "agents", generation: 5 });
  });

  it("reads JOB:N", () => {
    expect(parseSince("images:3")).toEqual({ job: "images", generation: 3 });
    expect(parseSince("agents:0")).toEqual({ job: "agents", generation: 0 });
  });

  it.each([["x"], ["-1"], ["1.5"], ["other:2"], [""], ["agents:"]])(
    "refuses %j as a usage error",
    (text) => {
      expect(() => parseSince(text)).toThrow(BundleInputError);
    },
  );
});

describe("resolveSince", () => {
  const jobs = {
    agents: {
      generation: 2,
      generations: { "1": "2026-11-22T10:00:00.000Z", "2": "2026-11-23T10:00:00.000Z" },
    },
  };

  it("finds when the generation was published", () => {
    expect(resolveSince(jobs, { job: "agents", generation: 1 })).toEqual({
      job: "agents",
      generation: 1,
      publishedAt: "2026-11-22T10:00:00.000Z",
    });
  });

  it("names the known generations when asked for an unknown one", () => {
    expect(() => resolveSince(jobs, { job: "agents", generation: 7 })).toThrow(/known: 1, 2/);
  });

  it("explains that a job without state has no generations", () => {
    expect(() => resolveSince(jobs, { job: "images", generation: 1 })).toThrow(
      /no recorded generations/,
    );
  });
});
