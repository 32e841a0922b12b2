/**
 * A real OpenStack Keystone and two Glance APIs (regions RegionOne and RegionTwo, each
 * with its own images) on loopback for the system tests, started by
 * scripts/openstack/start-openstack.sh on free ports in a temporary state directory, plus
 * helpers that seed them through their own APIs. The first start on a machine installs
 * Debian's keystone and glance-api (about a minute); after that a start takes 15-20 s on
 * an idle 2-core machine, 30-45 s when other work loads it.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const SCRIPTS = resolve(import.meta.dirname, "../../scripts/openstack");
const ORIGIN = "[streamgate] [openstack-services]";
/** Covers a first install (about a minute) and a slow start; under the hook timeout. */
const START_TIMEOUT_MS = 170_000;

/** Keystone v3 password credentials of the cloud's admin, project-scoped. */
export interface AdminCredentials {
  username: string;
  password: string;
  projectName: string;
  userDomainName: string;
  projectDomainName: string;
}

/** One region of the catalog and the Glance API its `image` endpoints point at. */
export interface OpenStackRegion {
  id: string;
  /** Glance's root, without `/v2`, as in the catalog. */
  glanceUrl: string;
}

/** An image to create with a fixed id: Glance keeps `properties` as top-level fields. */
export interface ImageSpec {
  id: string;
  name: string;
  properties?: Record<string, string>;
  /**
   * `active` (the default) uploads a few bytes, as Glance activates only images with
   * data; `queued` leaves the image without data.
   */
  status?: "active" | "queued";
  /** Defaults to `qcow2` (Glance does not inspect the bytes for it). */
  diskFormat?: string;
  /** Defaults to `bare`. */
  containerFormat?: string;
  visibility?: "public" | "private" | "shared" | "community";
}

/** An image as Glance's v2 API answers it. */
export interface GlanceImage {
  id: string;
  name: string | null;
  status: string;
  [field: string]: unknown;
}

/** A Keystone application credential of the admin, usable once as created. */
export interface ApplicationCredential {
  id: string;
  name: string;
  /** Returned only at creation. */
  secret: string;
  projectId: string;
}

export interface ApplicationCredentialOptions {
  /** Defaults to a unique name. */
  name?: string;
  /** Role names; defaults to all the admin's roles on its project. */
  roles?: string[];
}

/** Running services; `stop()` ends them and removes their state directory. */
export interface OpenStackServices {
  /** Keystone v3, e.g. `http://127.0.0.1:40123/v3`. */
  authUrl: string;
  adminCredentials: AdminCredentials;
  /** RegionOne then RegionTwo. */
  regions: OpenStackRegion[];
  /** A project-scoped admin token, issued once and reused. */
  adminToken(): Promise<string>;
  /** Creates an image in one region's Glance (by region or region id) and returns it. */
  createImage(region: OpenStackRegion | string, image: ImageSpec): Promise<GlanceImage>;
  createApplicationCredential(
    options?: ApplicationCredentialOptions,
  ): Promise<ApplicationCredential>;
  stop(): Promise<void>;
}

let running: Promise<OpenStackServices> | undefined;

/**
 * Starts Keystone and two Glance APIs, once per test file (vitest gives each file its own
 * module instance): later calls get the same services until `stop()`. Rejects with the
 * start script's error, which carries the end of the failing service's log.
 */
export function startOpenStack(): Promise<OpenStackServices> {
  running ??= launch().catch((error: unknown) => {
    running = undefined;
    throw error;
  });
  return running;
}

async function launch(): Promise<OpenStackServices> {
  const state = await mkdtemp(join(tmpdir(), "streamgate-openstack-"));
  const [keystonePort, glanceOnePort, glanceTwoPort] = await freePorts();
  const adminCredentials: AdminCredentials = {
    username: "admin",
    password: randomUUID(),
    projectName: "admin",
    userDomainName: "Default",
    projectDomainName: "Default",
  };
  const stopServices = async () => {
    await run("bash", [join(SCRIPTS, "stop-openstack.sh"), state]);
    await rm(state, { recursive: true, force: true });
  };
  const started = Date.now();
  try {
    await run("bash", [join(SCRIPTS, "start-openstack.sh"), state], {
      env: {
        ...process.env,
        KEYSTONE_PORT: String(keystonePort),
        GLANCE_ONE_PORT: String(glanceOnePort),
        GLANCE_TWO_PORT: String(glanceTwoPort),
        OS_ADMIN_PASSWORD: adminCredentials.password,
      },
      timeout: START_TIMEOUT_MS,
    });
  } catch (error) {
    await stopServices().catch(() => {});
    const detail = (error as { stderr?: string }).stderr?.trim() || String(error);
    throw new Error(`${ORIGIN} start-openstack.sh failed: ${detail}`);
  }
  console.log(`Keystone + 2 Glance APIs ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const authUrl = `http://127.0.0.1:${keystonePort}/v3`;
  const regions: OpenStackRegion[] = [
    { id: "RegionOne", glanceUrl: `http://127.0.0.1:${glanceOnePort}` },
    { id: "RegionTwo", glanceUrl: `http://127.0.0.1:${glanceTwoPort}` },
  ];
  let admin: Promise<IssuedToken> | undefined;
  const adminLogin = (): Promise<IssuedToken> => {
    admin ??= issueAdminToken(authUrl, adminCredentials).catch((error: unknown) => {
      admin = undefined;
      throw error;
    });
    return admin;
  };
  let stopped: Promise<void> | undefined;

  return {
    authUrl,
    adminCredentials,
    regions,
    adminToken: async () => (await adminLogin()).token,
    async createImage(region, image) {
      const glanceUrl = findRegion(regions, region).glanceUrl;
      return createImage(glanceUrl, (await adminLogin()).token, image);
    },
    async createApplicationCredential(options = {}) {
      const { token, userId } = await adminLogin();
      return createApplicationCredential(authUrl, token, userId, options);
    },
    stop() {
      running = undefined;
      stopped ??= stopServices();
      return stopped;
    },
  };
}

interface IssuedToken {
  token: string;
  userId: string;
}

async function issueAdminToken(
  authUrl: string,
  credentials: AdminCredentials,
): Promise<IssuedToken> {
  const response = await call("POST", `${authUrl}/auth/tokens`, {
    body: {
      auth: {
        identity: {
          methods: ["password"],
          password: {
            user: {
              name: credentials.username,
              domain: { name: credentials.userDomainName },
              password: credentials.password,
            },
          },
        },
        scope: {
          project: {
            name: credentials.projectName,
            domain: { name: credentials.projectDomainName },
          },
        },
      },
    },
  });
  const token = response.headers.get("x-subject-token");
  const body = (await response.json()) as { token?: { user?: { id?: string } } };
  const userId = body.token?.user?.id;
  if (token === null || userId === undefined) {
    throw new Error(`${ORIGIN} Keystone issued no token or user id for the admin`);
  }
  return { token, userId };
}

async function createImage(
  glanceUrl: string,
  token: string,
  image: ImageSpec,
): Promise<GlanceImage> {
  const images = `${glanceUrl}/v2/images`;
  await call("POST", images, {
    token,
    body: {
      ...image.properties,
      id: image.id,
      name: image.name,
      disk_format: image.diskFormat ?? "qcow2",
      container_format: image.containerFormat ?? "bare",
      ...(image.visibility === undefined ? {} : { visibility: image.visibility }),
    },
  });
  if ((image.status ?? "active") === "active") {
    await call("PUT", `${images}/${image.id}/file`, {
      token,
      data: `streamgate test image ${image.id}\n`,
    });
  }
  const created = (await (
    await call("GET", `${images}/${image.id}`, { token })
  ).json()) as GlanceImage;
  const wanted = image.status ?? "active";
  if (created.status !== wanted) {
    throw new Error(`${ORIGIN} image ${image.id} is ${created.status}, not ${wanted}`);
  }
  return created;
}

async function createApplicationCredential(
  authUrl: string,
  token: string,
  userId: string,
  options: ApplicationCredentialOptions,
): Promise<ApplicationCredential> {
  const response = await call("POST", `${authUrl}/users/${userId}/application_credentials`, {
    token,
    body: {
      application_credential: {
        name: options.name ?? `streamgate-${randomUUID()}`,
        ...(options.roles === undefined ? {} : { roles: options.roles.map((name) => ({ name })) }),
      },
    },
  });
  const body = (await response.json()) as {
    application_credential: { id: string; name: string; secret: string; project_id: string };
  };
  const { id, name, secret, project_id } = body.application_credential;
  return { id, name, secret, projectId: project_id };
}

interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as application/octet-stream. */
  data?: string;
}

/** One request that must succeed; a failure names the request and Glance's or Keystone's answer. */
async function call(method: string, url: string, options: CallOptions): Promise<Response> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers["x-auth-token"] = options.token;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.body);
  } else if (options.data !== undefined) {
    headers["content-type"] = "application/octet-stream";
    body = options.data;
  }
  const response = await fetch(url, { method, headers, body });
  if (!response.ok) {
    const detail = (await response.text()).slice(0, 500);
    throw new Error(`${ORIGIN} ${method} ${url} answered ${response.status}: ${detail}`);
  }
  return response;
}

function findRegion(regions: OpenStackRegion[], region: OpenStackRegion | string): OpenStackRegion {
  const id = typeof region === "string" ? region : region.id;
  const found = regions.find((candidate) => candidate.id === id);
  if (found === undefined) {
    const known = regions.map((candidate) => candidate.id).join(", ");
    throw new Error(`${ORIGIN} no region "${id}" (the regions are ${known})`);
  }
  return found;
}

/** Three ports the kernel hands out as free, held together so that they differ. */
async function freePorts(): Promise<[number, number, number]> {
  const servers: Server[] = [];
  const listen = async (): Promise<number> => {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((done, fail) => {
      server.once("error", fail);
      server.listen(0, "127.0.0.1", () => done());
    });
    const address = server.address();
    if (address === null || typeof address === "string") {
      throw new Error(`${ORIGIN} no port from a loopback listener`);
    }
    return address.port;
  };
  try {
    return [await listen(), await listen(), await listen()];
  } finally {
    await Promise.all(
      servers.map((server) => new Promise<void>((done) => server.close(() => done()))),
    );
  }
}
