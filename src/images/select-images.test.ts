import { describe, expect, it } from "vitest";
import type { MappedImage } from "./map-image.ts";
import { selectImages } from "./select-images.ts";

function image(id: string, createdAt: string | undefined, region = "RegionOne"): MappedImage {
  return {
    region,
    endpoint: "https://ks/v3",
    id,
    ...(createdAt === undefined ? {} : { createdAt }),
    stream: "released",
    version: "24.04",
    arch: "amd64",
    productId: "com.ubuntu.cloud:server:24.04:amd64",
  };
}

describe("selectImages", () => {
  it("keeps the newest image of a product per region and lists the others", () => {
    const { selected, superseded } = selectImages([
      image("old", "2026-01-01T00:00:00Z"),
      image("new", "2026-03-01T00:00:00Z"),
      image("mid", "2026-02-01T00:00:00Z"),
    ]);
    expect(selected.map((chosen) => chosen.id)).toEqual(["new"]);
    expect(superseded).toEqual([
      {
        region: "RegionOne",
        id: "mid",
        productId: "com.ubuntu.cloud:server:24.04:amd64",
        chosen: "new",
      },
      {
        region: "RegionOne",
        id: "old",
        productId: "com.ubuntu.cloud:server:24.04:amd64",
        chosen: "new",
      },
    ]);
  });

  it("breaks ties by the smallest id, whatever the listing order", () => {
    const same = "2026-01-01T00:00:00Z";
    const forward = selectImages([image("b", same), image("a", same), image("c", same)]);
    const backward = selectImages([image("c", same), image("a", same), image("b", same)]);
    expect(forward.selected[0]?.id).toBe("a");
    expect(backward).toEqual(forward);
  });

  it("ranks images without a readable date last", () => {
    const { selected } = selectImages([
      image("a", undefined),
      image("b", "garbage"),
      image("z", "2020-01-01T00:00:00Z"),
    ]);
    expect(selected[0]?.id).toBe("z");
  });

  it("chooses per region", () => {
    const { selected, superseded } = selectImages([
      image("one", "2026-01-01T00:00:00Z", "RegionOne"),
      image("two", "2026-01-01T00:00:00Z", "RegionTwo"),
    ]);
    expect(selected.map((chosen) => chosen.id)).toEqual(["one", "two"]);
    expect(superseded).toEqual([]);
  });
});
