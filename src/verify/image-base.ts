// Juju 3.x names an OS by base, `ubuntu@24.04`; image-ids carry the version alone.
const BASE = /^ubuntu@(\d{2}\.\d{2})$/;

/** `ubuntu@24.04` → `24.04`; `undefined` for anything else (image-ids are Ubuntu only). */
export function parseImageBase(base: string): string | undefined {
  return BASE.exec(base)?.[1];
}

/** `24.04` → `ubuntu@24.04`, as Juju prints it. */
export function formatImageBase(version: string): string {
  return `ubuntu@${version}`;
}
