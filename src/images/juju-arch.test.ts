import { describe, expect, it } from "vitest";
import { JUJU_ARCHES, parseJujuArch } from "./juju-arch.ts";

describe("parseJujuArch", () => {
  it("maps Glance's kernel names to Debian names", () => {
    expect(parseJujuArch("x86_64")).toBe("amd64");
    expect(parseJujuArch("aarch64")).toBe("arm64");
    expect(parseJujuArch("ppc64le")).toBe("ppc64el");
    expect(parseJujuArch("s390x")).toBe("s390x");
    expect(parseJujuArch("riscv64")).toBe("riscv64");
  });

  it("accepts names that are already Debian's, in any case", () => {
    for (const arch of JUJU_ARCHES) expect(parseJujuArch(arch)).toBe(arch);
    expect(parseJujuArch("AMD64")).toBe("amd64");
    expect(parseJujuArch(" X86_64 ")).toBe("amd64");
  });

  it("refuses architectures Juju does not deploy", () => {
    expect(parseJujuArch("i686")).toBeUndefined();
    expect(parseJujuArch("armv7l")).toBeUndefined();
    expect(parseJujuArch("armhf")).toBeUndefined();
    expect(parseJujuArch("toString")).toBeUndefined();
  });
});
