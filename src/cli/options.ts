import { InvalidArgumentError } from "commander";

/** `--concurrency 8` → 8; anything but a whole number ≥ `min` is a usage error. */
export function integerOption(name: string, min: number) {
  return function parseInteger(value: string): number {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < min) {
      throw new InvalidArgumentError(`\`${name}\` expects a whole number from ${min} up`);
    }
    return parsed;
  };
}

/** `--arch amd64,arm64` (or the flag repeated) → `["amd64", "arm64"]`. */
export function listOption(value: string, previous: string[] | undefined): string[] {
  const items = value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  return [...(previous ?? []), ...items];
}
