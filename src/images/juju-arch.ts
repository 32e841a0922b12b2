/** The architectures Juju 3.x and 4.x deploy to, by their Debian names. */
export const JUJU_ARCHES: readonly string[] = ["amd64", "arm64", "ppc64el", "s390x", "riscv64"];

// Glance's `architecture` uses the kernel names (libosinfo/`uname -m`); Juju the Debian ones.
const KERNEL_TO_DEBIAN: Readonly<Record<string, string>> = {
  x86_64: "amd64",
  aarch64: "arm64",
  ppc64le: "ppc64el",
  s390x: "s390x",
  riscv64: "riscv64",
};

/**
 * The Juju architecture for a Glance `architecture` value (`x86_64` → `amd64`) or an
 * already-Debian name; `undefined` for anything Juju cannot deploy (`i686`, `armv7l`…).
 */
export function parseJujuArch(value: string): string | undefined {
  const name = value.trim().toLowerCase();
  if (Object.hasOwn(KERNEL_TO_DEBIAN, name)) return KERNEL_TO_DEBIAN[name];
  return JUJU_ARCHES.includes(name) ? name : undefined;
}
