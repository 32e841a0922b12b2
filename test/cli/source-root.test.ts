/**
 * bin/source-root.js picks dist/ only while it was built after every source changed; a
 * stale or half-built dist/ must never run in place of the sources.
 */
import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILD_STAMP, sourceModule } from "../../bin/source-root.js";

let root = "";
const at = (seconds: number) => new Date(1_800_000_000_000 + seconds * 1000);

async function file(path: string, seconds: number): Promise<void> {
  const full = join(root, path);
  await mkdir(join(full, ".."), { recursive: true });
  await writeFile(full, "");
  await utimes(full, at(seconds), at(seconds));
}

const chosen = () => fileURLToPath(sourceModule("cli/main", root)).slice(root.length + 1);

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "streamgate-source-root-"));
  await file("package.json", 0);
  await file("src/cli/main.ts", 0);
  await file("src/store/deep/module.ts", 0);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("sourceModule", () => {
  it("runs dist/ when its stamp is newer than every source", async () => {
    await file(BUILD_STAMP, 10);
    expect(chosen()).toBe("dist/src/cli/main.js");
  });

  it("runs the sources when dist/ was never completed (no stamp)", async () => {
    await file("dist/src/cli/main.js", 10);
    expect(chosen()).toBe("src/cli/main.ts");
  });

  it.each(["src/store/deep/module.ts", "package.json", "tsconfig.build.json"])(
    "runs the sources once %s changed after the build",
    async (changed) => {
      await file(BUILD_STAMP, 10);
      await file(changed, 20);
      expect(chosen()).toBe("src/cli/main.ts");
    },
  );
});
