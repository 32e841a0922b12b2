import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { defaultCloudsSearchPath, loadCloudCredentials } from "../images/clouds-yaml.ts";
import type { FetchFunction } from "../images/http-json.ts";
import { ImagesInputError } from "../images/images-errors.ts";
import { authenticate, identityV3Url } from "../images/keystone.ts";
import { createNodeFetch } from "../images/node-fetch.ts";
import {
  type OpenStackCredentials,
  openStackCredentialsFromEnv,
} from "../images/openstack-credentials.ts";
import {
  type AppliedAction,
  applyEndpointsPlan,
  catalogRegions,
  checkEndpoints,
  createKeystoneAdmin,
  type EndpointAction,
  type EndpointCheck,
  type EndpointsState,
  planEndpoints,
  type RegisteredEndpoint,
  readEndpointsState,
  renderOpenStackCommands,
  type StreamsServiceType,
} from "../keystone/index.ts";
import { UsageError } from "./usage-error.ts";

/** Flags of `streamgate keystone endpoints` (DESIGN.md §6). */
export interface KeystoneEndpointsFlags {
  publicUrl: string;
  internalUrl?: string;
  region?: string[];
  check?: boolean;
  apply?: boolean;
  osCloud?: string;
  json?: boolean;
}

export interface KeystoneIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

const processIo: KeystoneIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
};

/** A registered endpoint that Juju cannot use: exit 1, after the loud report. */
export class DeadEndpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeadEndpointError";
  }
}

const HTTP_URL = /^https?:\/\/[^\s/]+(?:\/\S*)?$/i;

function checkUrl(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!HTTP_URL.test(value)) {
    throw new UsageError(`\`${flag}\` expects an http:// or https:// URL, got ${value}`);
  }
  return value.replace(/\/+$/, "");
}

async function credentialsFor(
  flags: KeystoneEndpointsFlags,
  io: KeystoneIo,
): Promise<OpenStackCredentials> {
  const cloud = flags.osCloud ?? io.env.OS_CLOUD;
  try {
    return cloud === undefined || cloud === ""
      ? openStackCredentialsFromEnv(io.env)
      : await loadCloudCredentials({
          cloud,
          env: io.env,
          searchPath: defaultCloudsSearchPath(io.cwd),
        });
  } catch (error) {
    if (error instanceof ImagesInputError) {
      throw new UsageError(error.message.replace(/^\[streamgate\] \[images\] /, ""));
    }
    throw error;
  }
}

async function fetchFor(credentials: OpenStackCredentials, cwd: string): Promise<FetchFunction> {
  if (credentials.cacert === undefined && credentials.insecure !== true) {
    return (input, init) => fetch(input, init);
  }
  let ca: string | undefined;
  if (credentials.cacert !== undefined) {
    try {
      ca = await readFile(resolve(cwd, credentials.cacert), "utf8");
    } catch (error) {
      throw new UsageError(
        `cannot read the CA bundle (OS_CACERT) ${credentials.cacert}: ${(error as Error).message}`,
      );
    }
  }
  return createNodeFetch({
    ...(ca === undefined ? {} : { ca }),
    rejectUnauthorized: credentials.insecure !== true,
  });
}

function describeAction(action: EndpointAction): string {
  switch (action.action) {
    case "create-service":
      return `create service ${action.type} (name ${action.name})`;
    case "create-endpoint":
      return `create ${action.type} ${action.interface} endpoint in ${action.region}: ${action.url}`;
    case "update-endpoint":
      return `fix ${action.type} ${action.interface} endpoint in ${action.region}${action.id ? ` (${action.id})` : ""}: ${action.from} → ${action.url}`;
    case "keep-endpoint":
      return `keep ${action.type} ${action.interface} endpoint in ${action.region}: ${action.url}`;
  }
}

function describeApplied(applied: AppliedAction): string {
  const where =
    applied.region === undefined
      ? ""
      : ` ${applied.interface} in ${applied.region}: ${applied.url}`;
  const verb = {
    "create-service": "created service",
    "create-endpoint": "created endpoint",
    "update-endpoint": "fixed endpoint",
    "keep-endpoint": "kept endpoint",
  }[applied.action];
  return `${verb} ${applied.type} ${applied.id}${where}`;
}

function registered(state: EndpointsState): RegisteredEndpoint[] {
  const types = new Map(state.services.map((service) => [service.id, service.type]));
  return state.endpoints
    .filter((endpoint) => endpoint.enabled)
    .flatMap((endpoint) => {
      const type = types.get(endpoint.serviceId);
      if (type !== "product-streams" && type !== "juju-tools") return [];
      return [
        {
          type: type as StreamsServiceType,
          region: endpoint.region,
          interface: endpoint.interface,
          url: endpoint.url,
        },
      ];
    })
    .sort((a, b) =>
      `${a.type} ${a.region} ${a.interface}`.localeCompare(`${b.type} ${b.region} ${b.interface}`),
    );
}

function reportChecks(
  checks: EndpointCheck[],
  flags: KeystoneEndpointsFlags,
  io: KeystoneIo,
): void {
  for (const check of checks) {
    const what = `${check.type} ${check.interface} ${check.region} ${check.url}`;
    if (check.ok) {
      io.stderr(`ok            ${what} (answers ${check.index})\n`);
      continue;
    }
    io.stderr(
      `DEAD ENDPOINT ${what}\n  ${check.reason}\n  ${check.juju}\n  fix it: streamgate keystone endpoints --public-url ${flags.publicUrl} --apply, or remove it: openstack endpoint delete ID\n`,
    );
  }
}

/**
 * `streamgate keystone endpoints`: plans the `product-streams` and `juju-tools` endpoints
 * for every region (or those given); prints them as `openstack` commands, or with
 * `--apply` registers them through the Keystone API; with `--check`, reads every
 * registered endpoint the way Juju does and exits 1, loudly, if any is dead.
 */
export async function runKeystoneEndpoints(
  flags: KeystoneEndpointsFlags,
  io: KeystoneIo = processIo,
): Promise<void> {
  const publicUrl = checkUrl("--public-url", flags.publicUrl) as string;
  const internalUrl = checkUrl("--internal-url", flags.internalUrl);
  const credentials = await credentialsFor(flags, io);
  const fetchImpl = await fetchFor(credentials, io.cwd);
  const token = await authenticate(credentials, { fetch: fetchImpl, timeoutMs: 30_000 });
  const admin = createKeystoneAdmin({
    identityUrl: identityV3Url(credentials.authUrl),
    token: token.token,
    fetch: fetchImpl,
  });

  const inCatalog = catalogRegions(token.catalog);
  const known = new Set(inCatalog);
  for (const region of await admin.listRegions().catch(() => [])) known.add(region);
  const regions = flags.region ?? inCatalog;
  const unknown = regions.filter((region) => !known.has(region));
  if (unknown.length > 0) {
    throw new UsageError(
      `--region ${unknown.join(", ")}: not a region of this cloud (regions: ${[...known].sort().join(", ") || "none"})`,
    );
  }
  if (regions.length === 0) {
    throw new UsageError("the token's catalog names no region; pass --region");
  }

  let state = await readEndpointsState(admin, token.catalog);
  if (state.fromCatalog && flags.apply === true) {
    throw new UsageError(
      "--apply needs credentials with the admin role: Keystone refused to list services and endpoints (HTTP 403)",
    );
  }
  const plan = planEndpoints({
    publicUrl,
    ...(internalUrl === undefined ? {} : { internalUrl }),
    regions,
    state,
  });
  const commands = renderOpenStackCommands(plan);
  for (const warning of plan.warnings) io.stderr(`warning: ${warning}\n`);
  if (state.fromCatalog) {
    io.stderr(
      "note: read from the token's catalog (no admin role to list services): endpoint ids unknown\n",
    );
  }

  let applied: AppliedAction[] | undefined;
  if (flags.apply === true) {
    applied = await applyEndpointsPlan(admin, plan);
    for (const action of applied) io.stderr(`${describeApplied(action)}\n`);
    io.stderr(
      applied.length === 0
        ? `nothing to change: product-streams and juju-tools already point at ${publicUrl} in ${regions.join(", ")}\n`
        : `applied ${applied.length} change(s) in ${regions.join(", ")}\n`,
    );
    state = await readEndpointsState(admin, token.catalog);
  } else {
    for (const action of plan.actions) io.stderr(`${describeAction(action)}\n`);
    io.stderr(
      plan.changes === 0
        ? "nothing to change\n"
        : `${plan.changes} change(s) to make: run the commands above (stdout) or again with --apply\n`,
    );
    if (flags.json !== true) for (const line of commands) io.stdout(`${line}\n`);
  }

  let checks: EndpointCheck[] | undefined;
  if (flags.check === true) {
    checks = await checkEndpoints(registered(state));
    reportChecks(checks, flags, io);
  }
  if (flags.json === true) {
    io.stdout(
      `${JSON.stringify({ publicUrl, internalUrl, regions, plan, commands, applied, checks }, null, 2)}\n`,
    );
  }
  if (checks === undefined) return;
  if (checks.length === 0) {
    throw new DeadEndpointError(
      "no product-streams or juju-tools endpoint is registered: nothing to check (register them with --apply)",
    );
  }
  const dead = checks.filter((check) => !check.ok);
  if (dead.length > 0) {
    throw new DeadEndpointError(
      `${dead.length} registered endpoint${dead.length === 1 ? "" : "s"} of ${checks.length} do not answer with an index; Juju reads them from the catalog, and a dead one aborts bootstrap`,
    );
  }
}
