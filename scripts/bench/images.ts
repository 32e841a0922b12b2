/**
 * `sync images` at scale: 10 regions × 5,000 Glance images served by the in-process
 * Keystone + Glance double → mapped, selected, rendered and signed (RSA 4096) into a
 * memory store. Each run is timed against baselines measured in the same process:
 * listing the double raw (the same HTTP pages and JSON.parse, no mapping) and
 * JSON.stringify of the listed images. The key is generated once, outside the timing.
 * Prints figures only; asserts nothing (target: a full signed publish under 3 s).
 *
 *   node scripts/bench/images.ts [rounds=3]
 */

import { createOpenStackSource } from "../../src/images/openstack-source.ts";
import { runImagesSync } from "../../src/images/sync-images.ts";
import { generateSigningKey } from "../../src/signing/generate-key.ts";
import { parseSigningKey } from "../../src/signing/parse-keys.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import {
  type DoubleImage,
  passwordEnv,
  startOpenStackDouble,
} from "../../test/images/openstack-double.ts";

const REGIONS = 10;
const IMAGES_PER_REGION = 5_000;
const PAGE_SIZE = 1_000;
const VERSIONS = ["noble", "24.04", "jammy", "22.04", "focal", "20.04", "bionic", "25.04", "24.10"];
const ARCHES = ["x86_64", "aarch64", "ppc64le", "s390x", "riscv64", "amd64"];

const rounds = Number(process.argv[2] ?? 3);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`Expected \`rounds\` to be an integer from 1 and up, got ${process.argv[2]}`);
  process.exit(2);
}

function regionImages(region: number): DoubleImage[] {
  return Array.from({ length: IMAGES_PER_REGION }, (_, i) => {
    const id = `${region.toString(16).padStart(8, "0")}-${i.toString(16).padStart(4, "0")}-4000-8000-${(region * IMAGES_PER_REGION + i).toString(16).padStart(12, "0")}`;
    const created = new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString();
    // One image in twenty has no usable properties: it lands in the report as unmapped.
    const properties: Record<string, string> =
      i % 20 === 0
        ? { os_distro: "windows", os_version: "2022" }
        : {
            os_distro: "ubuntu",
            os_version: VERSIONS[i % VERSIONS.length] as string,
            architecture: ARCHES[i % ARCHES.length] as string,
            hw_disk_bus: "virtio",
            hw_qemu_guest_agent: "yes",
          };
    return {
      id,
      name: `ubuntu-${properties.os_version}-${properties.architecture}-${i}`,
      created_at: created,
      properties,
    };
  });
}

const double = await startOpenStackDouble({
  regions: Array.from({ length: REGIONS }, (_, r) => ({
    name: `Region${String(r + 1).padStart(2, "0")}`,
    images: regionImages(r),
  })),
  maxPageSize: PAGE_SIZE,
});
const env = passwordEnv(double);
const credentials = {
  authUrl: env.OS_AUTH_URL as string,
  auth: {
    type: "password" as const,
    username: env.OS_USERNAME as string,
    password: env.OS_PASSWORD as string,
    userDomainName: "Default",
    projectName: env.OS_PROJECT_NAME as string,
    projectDomainName: "Default",
  },
};

const keyStart = performance.now();
const generated = await generateSigningKey({ name: "streamgate bench", rsaBits: 4096 });
const signingKey = await parseSigningKey(generated.privateKey);
console.log(
  `RSA 4096 key generated in ${(performance.now() - keyStart).toFixed(0)} ms (not timed below)`,
);

/** The same HTTP work the source does — token, every page of every region — without mapping. */
async function listRaw(): Promise<unknown[]> {
  const tokenResponse = await fetch(`${double.authUrl}/auth/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ["password"],
          password: {
            user: {
              name: credentials.auth.username,
              domain: { name: "Default" },
              password: credentials.auth.password,
            },
          },
        },
        scope: { project: { name: credentials.auth.projectName, domain: { name: "Default" } } },
      },
    }),
  });
  const token = tokenResponse.headers.get("x-subject-token") ?? "";
  await tokenResponse.text();
  const all = await Promise.all(
    Array.from({ length: REGIONS }, async (_, r) => {
      const root = `${double.url}/glance/Region${String(r + 1).padStart(2, "0")}`;
      const images: unknown[] = [];
      let next: string | undefined = `/v2/images?limit=${PAGE_SIZE}&status=active`;
      while (next !== undefined) {
        const page = (await (
          await fetch(`${root}${next}`, { headers: { "x-auth-token": token } })
        ).json()) as {
          images: unknown[];
          next?: string;
        };
        images.push(...page.images);
        next = page.next;
      }
      return images;
    }),
  );
  return all.flat();
}

interface Sample {
  raw: number;
  stringify: number;
  first: number;
  unchanged: number;
}

const samples: Sample[] = [];
let summary = "";
for (let round = -1; round < rounds; round++) {
  let start = performance.now();
  const raw = await listRaw();
  const rawMs = performance.now() - start;

  start = performance.now();
  const json = JSON.stringify(raw);
  const stringifyMs = performance.now() - start;

  const store = createMemoryStore();
  const options = {
    store,
    source: createOpenStackSource({ credentials }),
    cloud: "bench",
    signingKey,
  };
  start = performance.now();
  const first = await runImagesSync(options);
  const firstMs = performance.now() - start;

  start = performance.now();
  const second = await runImagesSync(options);
  const unchangedMs = performance.now() - start;

  if (second.report.published || !first.report.published)
    throw new Error("unexpected publish outcome");
  if (round < 0) continue; // warm-up
  samples.push({ raw: rawMs, stringify: stringifyMs, first: firstMs, unchanged: unchangedMs });
  let bytes = 0;
  for await (const info of store.list("images/")) bytes += info.size;
  summary =
    `listed ${raw.length} images (${(json.length / 1e6).toFixed(1)} MB of JSON) in ${REGIONS} regions; ` +
    `published ${first.counts.published} image ids (${first.counts.unmapped} unmapped, ${first.counts.superseded} superseded), ` +
    `${first.report.files.length} files, ${(bytes / 1e3).toFixed(0)} kB`;
}
await double.close();

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const raw = median(samples.map((sample) => sample.raw));
const rows: [string, number][] = [
  ["baseline: raw listing of the double (HTTP + JSON.parse)", raw],
  [
    "baseline: JSON.stringify of the listed images",
    median(samples.map((sample) => sample.stringify)),
  ],
  [
    "sync images, first publish (list+map+render+sign+write)",
    median(samples.map((sample) => sample.first)),
  ],
  ["sync images, unchanged re-run (no writes)", median(samples.map((sample) => sample.unchanged))],
];
console.log(summary);
console.log(`median of ${rounds} round(s) after one warm-up round`);
for (const [name, ms] of rows) {
  console.log(
    `${name.padEnd(58)}${ms.toFixed(0).padStart(7)} ms  ×${(ms / raw).toFixed(2)} raw listing`,
  );
}
const total = median(samples.map((sample) => sample.first));
console.log(`target: first publish < 3000 ms — ${total < 3000 ? "met" : "NOT met"}`);
