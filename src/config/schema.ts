import { Cron } from "croner";
import { z } from "zod";
import { imageOverrideSchema } from "../images/image-overrides.ts";

/** A cron pattern croner accepts (5 or 6 fields); checked here so a typo fails at load, not at 3 a.m. */
const cronPattern = z.string().refine(
  (pattern) => {
    try {
      new Cron(pattern, { paused: true });
      return true;
    } catch {
      return false;
    }
  },
  { message: "not a valid cron expression" },
);

/** Juju's major.minor, as `--min-version 3.5`. */
const majorMinor = z.string().regex(/^\d{1,9}\.\d{1,9}$/, "expected MAJOR.MINOR, e.g. 3.6");

const agentStream = z.enum(["released", "proposed", "devel", "testing"]);
const arch = z.enum(["amd64", "arm64", "ppc64el", "s390x", "riscv64"]);

/**
 * Agent filters only `mode: filtered` applies: an exact mirror serves Canonical's signed
 * files, which name every version of their streams, so only `streams` (and `legacyTools`,
 * which adds whole `:tools` product files) may narrow it (DESIGN.md §5).
 */
export const FILTERED_ONLY_AGENT_KEYS = [
  "minVersion",
  "maxVersion",
  "arches",
  "os",
  "keep",
  "pins",
] as const;

const agentsJobFields = z
  .strictObject({
    cron: cronPattern.default("17 */6 * * *"),
    runOnStart: z.boolean().default(true),
    upstream: z.string().min(1).default("https://streams.canonical.com/juju/tools"),
    /** `builtin` = the Juju key embedded in streamgate, else a path to an armored public key. */
    upstreamKey: z.string().min(1).default("builtin"),
    mode: z.enum(["filtered", "exact"]).default("filtered"),
    streams: z.array(agentStream).min(1).default(["released"]),
    minVersion: z.union([z.literal("latest"), majorMinor]).default("latest"),
    maxVersion: majorMinor.optional(),
    arches: z.array(arch).min(1).default(["amd64"]),
    os: z.array(z.string().min(1)).min(1).default(["ubuntu"]),
    legacyTools: z.boolean().default(false),
    keep: z.int().min(1).default(2),
    pins: z.array(z.string().min(1)).default([]),
    allowUnsignedUpstream: z.boolean().default(false),
    concurrency: z.int().min(1).max(64).default(8),
    lockLease: z.int().min(5).default(60),
    /**
     * Seconds an object that left the published tree (an old tarball or product file) is
     * kept before it is deleted, for clients that read the previous index just before.
     */
    graceSeconds: z.int().min(0).default(3600),
  })
  .refine((agents) => agents.mode === "filtered" || !agents.allowUnsignedUpstream, {
    message: "allowUnsignedUpstream is only allowed with mode: filtered",
    path: ["allowUnsignedUpstream"],
  });

// Checked on the document as written: after defaults every filter has a value.
export const agentsJobSchema = z.preprocess((raw, context) => {
  if (typeof raw !== "object" || raw === null || (raw as { mode?: unknown }).mode !== "exact") {
    return raw;
  }
  for (const key of FILTERED_ONLY_AGENT_KEYS) {
    if (Object.hasOwn(raw, key)) {
      context.issues.push({
        code: "custom",
        message: `${key} is only allowed with mode: filtered (mode: exact mirrors whole streams; only streams and legacyTools narrow it)`,
        path: [key],
        input: raw,
      });
    }
  }
  return raw;
}, agentsJobFields);

export const imagesJobSchema = z.strictObject({
  cron: cronPattern.default("*/30 * * * *"),
  runOnStart: z.boolean().default(true),
  /** `openstack`, or a path to a static image list (YAML or JSON). */
  from: z.string().min(1).default("openstack"),
  cloud: z.string().min(1),
  /** Keystone URL exactly as configured in Juju's cloud definition. */
  endpoint: z.string().min(1).optional(),
  /** Path to the operator's armored private key; absent → unsigned `.json` only, with a warning. */
  signingKey: z.string().min(1).optional(),
  osCloud: z.string().min(1).optional(),
  contentId: z.string().min(1).default("com.ubuntu.cloud:custom"),
  keepGenerations: z.int().min(0).default(2),
  /** Keystone catalog interface of the Glance endpoints (OS_INTERFACE when absent). */
  interface: z.enum(["public", "internal", "admin"]).optional(),
  /** Per-region Keystone URLs for Juju, when regions differ from `endpoint`. */
  regionEndpoints: z.record(z.string().min(1), z.string().min(1)).default({}),
  /** Version/arch/virt/rootStore/stream for images by id or name regex; first match wins. */
  overrides: z.array(imageOverrideSchema).default([]),
});

export const configSchema = z.strictObject({
  store: z.string().min(1).default("file:./data"),
  listen: z
    .strictObject({
      host: z.string().min(1).default("127.0.0.1"),
      port: z.int().min(0).max(65535).default(8080),
    })
    .prefault({}),
  agents: agentsJobSchema.optional(),
  images: imagesJobSchema.optional(),
});

/** A validated configuration with every default filled in. */
export type Config = z.infer<typeof configSchema>;
export type AgentsJobConfig = z.infer<typeof agentsJobSchema>;
export type ImagesJobConfig = z.infer<typeof imagesJobSchema>;
