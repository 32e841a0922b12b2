import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { z } from "zod";
import { parseConfig } from "../../src/config/parse-config.ts";

// A structural check of the shipped manifests (kubeconform is not installable here): the
// fields a cluster needs, and that what they pass to streamgate is valid streamgate input.
const MANIFESTS = join(import.meta.dirname, "../../infra/kubernetes/streamgate.yaml");

const metadata = z.object({
  name: z.string().regex(/^[a-z0-9-]+$/),
  labels: z.record(z.string(), z.string()),
});
const container = z.object({
  name: z.string(),
  image: z.string().min(1),
  args: z.array(z.string()).min(1),
  envFrom: z.array(z.object({ secretRef: z.object({ name: z.string() }) })).optional(),
  resources: z.object({
    requests: z.record(z.string(), z.string()),
    limits: z.record(z.string(), z.string()),
  }),
  volumeMounts: z.array(z.object({ name: z.string(), mountPath: z.string() })).optional(),
});
const podSpec = z.object({
  containers: z.array(container).min(1),
  volumes: z.array(z.object({ name: z.string() })).optional(),
});
const manifest = z.discriminatedUnion("kind", [
  z.object({
    apiVersion: z.literal("v1"),
    kind: z.literal("ConfigMap"),
    metadata,
    data: z.record(z.string(), z.string()),
  }),
  z.object({
    apiVersion: z.literal("apps/v1"),
    kind: z.literal("Deployment"),
    metadata,
    spec: z.object({
      replicas: z.number().int().min(1),
      selector: z.object({ matchLabels: z.record(z.string(), z.string()) }),
      template: z.object({
        metadata: z.object({ labels: z.record(z.string(), z.string()) }),
        spec: podSpec,
      }),
    }),
  }),
  z.object({
    apiVersion: z.literal("v1"),
    kind: z.literal("Service"),
    metadata,
    spec: z.object({
      selector: z.record(z.string(), z.string()),
      ports: z.array(z.object({ port: z.number() })),
    }),
  }),
  z.object({
    apiVersion: z.literal("batch/v1"),
    kind: z.literal("CronJob"),
    metadata,
    spec: z.object({
      schedule: z.string(),
      concurrencyPolicy: z.literal("Forbid"),
      jobTemplate: z.object({
        spec: z.object({
          template: z.object({ spec: podSpec.extend({ restartPolicy: z.literal("Never") }) }),
        }),
      }),
    }),
  }),
]);

function documents() {
  return parseAllDocuments(readFileSync(MANIFESTS, "utf8")).map((document) => {
    expect(document.errors).toEqual([]);
    return manifest.parse(document.toJS());
  });
}

describe("infra/kubernetes/streamgate.yaml", () => {
  it("holds well-formed ConfigMap, Deployment, Service and two CronJobs", () => {
    expect(documents().map((document) => document.kind)).toEqual([
      "ConfigMap",
      "Deployment",
      "Service",
      "CronJob",
      "CronJob",
    ]);
  });

  it("selects the Deployment's pods with its Service", () => {
    const all = documents();
    const deployment = all.find((document) => document.kind === "Deployment");
    const service = all.find((document) => document.kind === "Service");
    if (deployment?.kind !== "Deployment" || service?.kind !== "Service")
      throw new Error("missing");
    expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(deployment.spec.selector.matchLabels).toEqual(service.spec.selector);
  });

  it("passes streamgate a valid configuration and commands it knows", () => {
    const all = documents();
    const configMap = all.find((document) => document.kind === "ConfigMap");
    if (configMap?.kind !== "ConfigMap") throw new Error("missing ConfigMap");
    for (const [name, text] of Object.entries(configMap.data)) {
      expect(() => parseConfig(parseAllDocuments(text)[0]?.toJS(), name)).not.toThrow();
    }
    const commands = all.flatMap((document) =>
      document.kind === "Deployment"
        ? document.spec.template.spec.containers.map((c) => c.args.slice(0, 2).join(" "))
        : document.kind === "CronJob"
          ? document.spec.jobTemplate.spec.template.spec.containers.map((c) =>
              c.args.slice(0, 2).join(" "),
            )
          : [],
    );
    expect(commands).toEqual(["serve --config", "sync agents", "sync images"]);
  });

  it("keeps each CronJob's schedule in step with the configuration defaults", () => {
    const schedules = documents().flatMap((document) =>
      document.kind === "CronJob" ? [document.spec.schedule] : [],
    );
    const defaults = parseConfig({ agents: {}, images: { cloud: "c" } }, "defaults");
    expect(schedules).toEqual([defaults.agents?.cron, defaults.images?.cron]);
  });
});
