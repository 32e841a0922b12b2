/**
 * Bad input to an images sync — a static list that does not validate, missing or
 * contradictory settings (no cloud name, no Keystone URL, incomplete `OS_*` credentials).
 * The CLI exits 2 on it; `problems` names each bad key, one line each.
 */
export class ImagesInputError extends Error {
  readonly problems: readonly string[];

  constructor(origin: string, problems: readonly string[]) {
    const detail =
      problems.length === 1 ? ` ${problems[0]}` : `\n${problems.map((p) => `  - ${p}`).join("\n")}`;
    super(`[streamgate] [images] ${origin}:${detail}`);
    this.name = "ImagesInputError";
    this.problems = problems;
  }
}

/** The cloud could not be read at all: Keystone unreachable or refusing, every region failing. Exit 1. */
export class ImageSourceError extends Error {
  /** `openstack`, `keystone`, `glance`, `images`. */
  readonly origin: string;

  constructor(origin: string, message: string, options?: { cause?: unknown }) {
    super(`[streamgate] [${origin}] ${message}`, options);
    this.name = "ImageSourceError";
    this.origin = origin;
  }
}
