const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** `18932` → `18.5 KiB`: sizes for people (reports keep exact byte counts). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}
