/**
 * The objects every HTTP test serves: a small filtered agent mirror, an image mirror for
 * one region, and a job state under `.streamgate/`. Runtime-neutral (no `node:`), so the
 * Workers suite can seed R2 with the same bytes.
 */
import type { JobState } from "../../src/scheduler/job-state.ts";
import type { ObjectStore } from "../../src/store/object-store.ts";

export type SeedObjects = Readonly<Record<string, string | Uint8Array>>;

export const AGENT_INDEX_KEY = "juju/tools/streams/v1/index2.json";
export const AGENT_PRODUCTS_KEY = "juju/tools/streams/v1/com.ubuntu.juju-released-agents.json";
export const TARBALL_KEY = "juju/tools/agent/3.6.1/juju-3.6.1-ubuntu-amd64.tgz";
export const IMAGE_INDEX_KEY = "images/streams/v1/index.json";
export const SIGNED_IMAGE_INDEX_KEY = "images/streams/v1/index.sjson";
export const IMAGE_PRODUCTS_KEY = "images/streams/v1/com.ubuntu.cloud-released-imagemetadata.json";
export const AGENTS_STATE_KEY = ".streamgate/state/agents.json";

/** Bigger than one 64 KiB store chunk, so streaming and ranges cross chunk boundaries. */
export const TARBALL_SIZE = 150_000;

/** Deterministic bytes that start like a gzip file (1f 8b), as a real agent tarball does. */
function tarballBytes(): Uint8Array {
  const bytes = new Uint8Array(TARBALL_SIZE);
  let state = 0x2545f491;
  for (let i = 0; i < bytes.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  bytes[0] = 0x1f;
  bytes[1] = 0x8b;
  return bytes;
}

export const TARBALL = tarballBytes();

const UPDATED = "Mon, 23 Nov 2026 18:00:00 +0000";

export const AGENT_INDEX = {
  index: {
    "com.ubuntu.juju:released:agents": {
      datatype: "content-download",
      path: "streams/v1/com.ubuntu.juju-released-agents.json",
      updated: UPDATED,
      products: ["com.ubuntu.juju:ubuntu:amd64"],
      format: "products:1.0",
    },
  },
  updated: UPDATED,
  format: "index:1.0",
};

export const AGENT_PRODUCTS = {
  content_id: "com.ubuntu.juju:released:agents",
  datatype: "content-download",
  format: "products:1.0",
  updated: UPDATED,
  products: {
    "com.ubuntu.juju:ubuntu:amd64": {
      arch: "amd64",
      versions: {
        "20261123": {
          items: {
            "3.6.1-ubuntu-amd64": {
              release: "ubuntu",
              version: "3.6.1",
              arch: "amd64",
              size: TARBALL_SIZE,
              path: "agent/3.6.1/juju-3.6.1-ubuntu-amd64.tgz",
              ftype: "tar.gz",
              sha256: "0".repeat(64),
            },
          },
        },
      },
    },
  },
};

export const IMAGE_INDEX = {
  index: {
    "com.ubuntu.cloud:released:mycloud": {
      datatype: "image-ids",
      path: "streams/v1/com.ubuntu.cloud-released-imagemetadata.json",
      updated: UPDATED,
      cloudname: "mycloud",
      clouds: [{ region: "RegionOne", endpoint: "https://keystone.example.com:5000/v3" }],
      products: ["com.ubuntu.cloud:server:24.04:amd64"],
      format: "products:1.0",
    },
  },
  updated: UPDATED,
  format: "index:1.0",
};

export const IMAGE_PRODUCTS = {
  content_id: "com.ubuntu.cloud:released:mycloud",
  datatype: "image-ids",
  format: "products:1.0",
  updated: UPDATED,
  products: {
    "com.ubuntu.cloud:server:24.04:amd64": {
      version: "24.04",
      arch: "amd64",
      versions: {
        "20261123": {
          items: {
            "RegionOne-0": {
              id: "5d4e3c2b-0000-4000-8000-000000000001",
              region: "RegionOne",
              endpoint: "https://keystone.example.com:5000/v3",
            },
          },
        },
      },
    },
  },
};

export const AGENTS_STATE: JobState = {
  job: "agents",
  generation: 3,
  generations: { "3": "2026-11-23T18:00:00.000Z" },
  lastRun: {
    startedAt: "2026-11-23T17:59:00.000Z",
    finishedAt: "2026-11-23T18:00:00.000Z",
    outcome: "ok",
    durationMs: 60_000,
    counts: { copied: 1 },
    bytes: TARBALL_SIZE,
    errors: [],
    generation: 3,
  },
};

/** One-space indent and a final newline, like upstream files. */
function render(document: unknown): string {
  return `${JSON.stringify(document, null, 1)}\n`;
}

/** Not a real signature: these tests only check how `.sjson` files are served. */
const SIGNED_IMAGE_INDEX = `-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA512

${render(IMAGE_INDEX)}-----BEGIN PGP SIGNATURE-----

iQIzBAEBCgAdFiEEAAAAAAAAAAAAAAAAAAAAAAAAAAAFAmVfAAAACgkQAAAAAAAAAAA=
=AAAA
-----END PGP SIGNATURE-----
`;

export const HTTP_CASE_SEED: SeedObjects = {
  [AGENT_INDEX_KEY]: render(AGENT_INDEX),
  [AGENT_PRODUCTS_KEY]: render(AGENT_PRODUCTS),
  [TARBALL_KEY]: TARBALL,
  [IMAGE_INDEX_KEY]: render(IMAGE_INDEX),
  [SIGNED_IMAGE_INDEX_KEY]: SIGNED_IMAGE_INDEX,
  [IMAGE_PRODUCTS_KEY]: render(IMAGE_PRODUCTS),
  [AGENTS_STATE_KEY]: render(AGENTS_STATE),
};

/** Writes every seed object into `store`. */
export async function seedStore(store: ObjectStore, seed: SeedObjects): Promise<void> {
  for (const [key, body] of Object.entries(seed)) await store.put(key, body);
}

/** Byte length of a seed object as stored. */
export function seedSize(seed: SeedObjects, key: string): number {
  const body = seed[key];
  if (body === undefined) throw new Error(`no seed object ${key}`);
  return typeof body === "string" ? new TextEncoder().encode(body).byteLength : body.byteLength;
}
