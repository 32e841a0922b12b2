import { describe, expect, it } from "vitest";
import { concatBytes } from "./concat-bytes.ts";

describe("concatBytes", () => {
  it("joins chunks in order", () => {
    const joined = concatBytes([Uint8Array.of(1, 2), Uint8Array.of(), Uint8Array.of(3)], 3);
    expect(joined).toEqual(Uint8Array.of(1, 2, 3));
  });

  it("copies even a single chunk, so the result owns its bytes", () => {
    const only = Uint8Array.of(7, 8);
    const joined = concatBytes([only], 2);
    only[0] = 0;
    expect(joined).toEqual(Uint8Array.of(7, 8));
  });

  it("gives an empty array for no chunks", () => {
    expect(concatBytes([], 0)).toEqual(new Uint8Array(0));
  });
});
