import { describe, expect, it } from "vitest";
import { nextVersionKey } from "./version-key.ts";

const at = (iso: string) => new Date(iso);

describe("nextVersionKey", () => {
  it("uses the UTC date for the first publish", () => {
    expect(nextVersionKey(at("2026-11-23T23:30:00-05:00"), [])).toBe("20261124");
  });

  it("uses a new day's date even when older keys carry suffixes", () => {
    expect(nextVersionKey(at("2026-11-24T01:00:00Z"), ["20261123", "20261123.4"])).toBe("20261124");
  });

  it("adds .1 to .9 for later publishes of the same day", () => {
    const now = at("2026-11-23T12:00:00Z");
    expect(nextVersionKey(now, ["20261123"])).toBe("20261123.1");
    expect(nextVersionKey(now, ["20261123", "20261123.1"])).toBe("20261123.2");
  });

  it("borrows the next day's key after .9, because .10 would sort before .9", () => {
    expect(nextVersionKey(at("2026-12-31T12:00:00Z"), ["20261231.9"])).toBe("20270101");
  });

  it("never goes back in time when the clock does", () => {
    expect(nextVersionKey(at("2026-01-01T00:00:00Z"), ["20261123.3"])).toBe("20261123.4");
  });

  it("stays above keys it did not write", () => {
    expect(nextVersionKey(at("2026-11-23T00:00:00Z"), ["20261123.12"])).toBe("20261124");
    const foreign = "release-7";
    expect(nextVersionKey(at("2026-11-23T00:00:00Z"), [foreign]) > foreign).toBe(true);
  });

  it("makes keys whose string order is their publish order, over many publishes a day", () => {
    const keys: string[] = [];
    const start = Date.parse("2026-11-23T00:00:00Z");
    for (let i = 0; i < 40; i++) {
      // Twelve publishes a day for a little over three days.
      keys.push(nextVersionKey(new Date(start + i * 2 * 3600_000), keys));
    }
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(keys);
    for (const key of keys) expect(key).toMatch(/^\d{8}(\.\d)?$/);
  });
});
