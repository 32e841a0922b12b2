/**
 * An in-process double of Keystone v3 (password and application-credential tokens with a
 * service catalog) and Glance v2 (`GET /v2/images` with marker paging and relative `next`
 * links), on node:http at 127.0.0.1:0. Used by the images tests and the images benchmark;
 * failures (401, 503) are switched per region while it runs.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface DoubleImage {
  id: string;
  name?: string;
  /** Default `active`. */
  status?: string;
  /** Default: a fixed date, so listings are stable. */
  created_at?: string;
  /** Glance properties, served at the top level of the image record as Glance v2 does. */
  properties?: Record<string, string>;
}

export interface DoubleRegion {
  name: string;
  /** A region with compute and identity endpoints only: no `image` service. */
  withoutImageService?: boolean;
  images?: DoubleImage[];
}

export interface DoubleUser {
  name: string;
  id: string;
  password: string;
  /** Domain id; the name is its capitalised form (`default` / `Default`). */
  domain: string;
  project: { name: string; id: string };
}

export interface DoubleApplicationCredential {
  id: string;
  name: string;
  secret: string;
  /** Name of the owning user. */
  user: string;
}

export interface OpenStackDoubleOptions {
  regions: DoubleRegion[];
  users?: DoubleUser[];
  applicationCredentials?: DoubleApplicationCredential[];
  /** Largest page Glance serves (its `api_limit_max`). Default 1000. */
  maxPageSize?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
}

export interface OpenStackDouble {
  /** Keystone's v3 root, as OS_AUTH_URL would hold it. */
  authUrl: string;
  /** The server's origin. */
  url: string;
  user: DoubleUser;
  applicationCredential: DoubleApplicationCredential;
  requests: RecordedRequest[];
  setImages(region: string, images: DoubleImage[]): void;
  /** Every Glance request of the region answers this status (undefined: heal). */
  failRegion(region: string, status: number | undefined): void;
  /** Tokens issued so far (their count, not the secrets). */
  tokensIssued(): number;
  close(): Promise<void>;
}

export const DEFAULT_USER: DoubleUser = {
  name: "streamgate",
  id: "u-0001",
  password: "s3cret-Passw0rd",
  domain: "default",
  project: { name: "images", id: "p-0001" },
};

export const DEFAULT_APPLICATION_CREDENTIAL: DoubleApplicationCredential = {
  id: "ac-0001",
  name: "streamgate-sync",
  secret: "ac-Secr3t",
  user: DEFAULT_USER.name,
};

const CREATED = "2026-01-01T00:00:00Z";

interface RegionState {
  spec: DoubleRegion;
  /** Sorted like Glance's default: created_at desc, then id desc. */
  sorted: DoubleImage[];
  position: Map<string, number>;
  failure?: number;
}

function sortImages(images: readonly DoubleImage[]): DoubleImage[] {
  return [...images].sort((a, b) => {
    const byDate = (b.created_at ?? CREATED).localeCompare(a.created_at ?? CREATED);
    return byDate !== 0 ? byDate : b.id.localeCompare(a.id);
  });
}

function regionState(spec: DoubleRegion): RegionState {
  const sorted = sortImages(spec.images ?? []);
  return { spec, sorted, position: new Map(sorted.map((image, i) => [image.id, i])) };
}

function send(response: ServerResponse, status: number, body: unknown, headers = {}): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

function unauthorized(response: ServerResponse): void {
  send(response, 401, {
    error: {
      code: 401,
      message: "The request you have made requires authentication.",
      title: "Unauthorized",
    },
  });
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}

function domainMatches(domain: unknown, id: string): boolean {
  if (typeof domain !== "object" || domain === null) return false;
  const { id: givenId, name } = domain as { id?: string; name?: string };
  return givenId === id || (typeof name === "string" && name.toLowerCase() === id);
}

export async function startOpenStackDouble(
  options: OpenStackDoubleOptions,
): Promise<OpenStackDouble> {
  const users = options.users ?? [DEFAULT_USER];
  const credentials = options.applicationCredentials ?? [DEFAULT_APPLICATION_CREDENTIAL];
  const maxPageSize = options.maxPageSize ?? 1000;
  const regions = new Map(options.regions.map((region) => [region.name, regionState(region)]));
  const tokens = new Map<string, DoubleUser>();
  const requests: RecordedRequest[] = [];
  let origin = "";

  function catalog() {
    const names = [...regions.keys()];
    const endpoint = (region: string, face: string, url: string) => ({
      id: randomUUID(),
      interface: face,
      region,
      region_id: region,
      url,
    });
    return [
      {
        type: "identity",
        name: "keystone",
        id: "svc-identity",
        endpoints: names.map((region) => endpoint(region, "public", `${origin}/identity/v3`)),
      },
      {
        type: "compute",
        name: "nova",
        id: "svc-compute",
        endpoints: names.map((region) => endpoint(region, "public", `${origin}/compute/${region}`)),
      },
      {
        type: "image",
        name: "glance",
        id: "svc-image",
        endpoints: names
          .filter((region) => !regions.get(region)?.spec.withoutImageService)
          .flatMap((region) => [
            endpoint(region, "public", `${origin}/glance/${encodeURIComponent(region)}`),
            endpoint(
              region,
              "internal",
              `${origin}/glance-internal/${encodeURIComponent(region)}/`,
            ),
          ]),
      },
    ];
  }

  function authenticate(body: unknown): DoubleUser | undefined {
    const identity = (body as { auth?: { identity?: Record<string, unknown> } })?.auth?.identity;
    const methods = identity?.methods;
    if (!Array.isArray(methods)) return undefined;
    if (methods.includes("application_credential")) {
      const given = identity?.application_credential as Record<string, unknown> | undefined;
      const found = credentials.find((credential) => {
        if (given?.secret !== credential.secret) return false;
        if (given.id !== undefined) return given.id === credential.id;
        const owner = given.user as { name?: string; id?: string } | undefined;
        const user = users.find((candidate) => candidate.name === credential.user);
        return (
          given.name === credential.name &&
          user !== undefined &&
          (owner?.id === user.id || owner?.name === user.name)
        );
      });
      return found === undefined ? undefined : users.find((user) => user.name === found.user);
    }
    if (!methods.includes("password")) return undefined;
    const given = (identity?.password as { user?: Record<string, unknown> } | undefined)?.user;
    const user = users.find(
      (candidate) =>
        (given?.id === candidate.id ||
          (given?.name === candidate.name && domainMatches(given?.domain, candidate.domain))) &&
        given?.password === candidate.password,
    );
    if (user === undefined) return undefined;
    const project = (body as { auth?: { scope?: { project?: Record<string, unknown> } } }).auth
      ?.scope?.project;
    const scoped =
      project?.id === user.project.id ||
      (project?.name === user.project.name && domainMatches(project?.domain, user.domain));
    return scoped ? user : undefined;
  }

  function listImages(request: IncomingMessage, response: ServerResponse, region: RegionState) {
    if (region.failure !== undefined) {
      send(response, region.failure, { message: `${region.failure} injected by the double` });
      return;
    }
    const token = request.headers["x-auth-token"];
    if (typeof token !== "string" || !tokens.has(token)) {
      unauthorized(response);
      return;
    }
    const query = new URL(request.url ?? "/", "http://double").searchParams;
    const limit = Math.min(Number(query.get("limit") ?? 25) || 25, maxPageSize);
    const marker = query.get("marker");
    const status = query.get("status");
    let start = 0;
    if (marker !== null) {
      const at = region.position.get(marker);
      if (at === undefined) {
        send(response, 400, { message: `marker ${marker} not found` });
        return;
      }
      start = at + 1;
    }
    const page: Record<string, unknown>[] = [];
    let index = start;
    let last: string | undefined;
    for (; index < region.sorted.length && page.length < limit; index++) {
      const image = region.sorted[index] as DoubleImage;
      last = image.id;
      if (status !== null && (image.status ?? "active") !== status) continue;
      page.push({
        id: image.id,
        name: image.name ?? null,
        status: image.status ?? "active",
        visibility: "public",
        created_at: image.created_at ?? CREATED,
        updated_at: image.created_at ?? CREATED,
        tags: [],
        self: `/v2/images/${image.id}`,
        file: `/v2/images/${image.id}/file`,
        schema: "/v2/schemas/image",
        ...image.properties,
      });
    }
    const more = index < region.sorted.length && last !== undefined;
    const filter = status === null ? "" : `&status=${encodeURIComponent(status)}`;
    send(response, 200, {
      images: page,
      first: `/v2/images?limit=${limit}${filter}`,
      schema: "/v2/schemas/images",
      // Glance writes `next` relative to its own root, whatever path prefix it sits behind.
      ...(more ? { next: `/v2/images?limit=${limit}&marker=${last}${filter}` } : {}),
    });
  }

  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? "/", "http://double").pathname;
    requests.push({ method: request.method ?? "GET", path: request.url ?? "/" });
    try {
      if (request.method === "POST" && path === "/identity/v3/auth/tokens") {
        const user = authenticate(await readBody(request));
        if (user === undefined) {
          unauthorized(response);
          return;
        }
        const token = `tok-${randomUUID()}`;
        tokens.set(token, user);
        send(
          response,
          201,
          {
            token: {
              methods: ["password"],
              expires_at: "2099-01-01T00:00:00.000000Z",
              user: { id: user.id, name: user.name, domain: { id: user.domain } },
              project: { id: user.project.id, name: user.project.name },
              catalog: catalog(),
            },
          },
          { "x-subject-token": token },
        );
        return;
      }
      const glance = /^\/glance(?:-internal)?\/([^/]+)\/v2\/images$/.exec(path);
      const region =
        glance?.[1] === undefined ? undefined : regions.get(decodeURIComponent(glance[1]));
      if (request.method === "GET" && region !== undefined && !region.spec.withoutImageService) {
        listImages(request, response, region);
        return;
      }
      send(response, 404, { message: `no route for ${request.method} ${path}` });
    } catch (error) {
      send(response, 500, { message: String(error) });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    authUrl: `${origin}/identity/v3`,
    url: origin,
    user: users[0] as DoubleUser,
    applicationCredential: credentials[0] as DoubleApplicationCredential,
    requests,
    setImages(name, images) {
      const state = regions.get(name);
      if (state === undefined) throw new Error(`the double has no region ${name}`);
      const next = regionState({ ...state.spec, images });
      regions.set(name, {
        ...next,
        ...(state.failure === undefined ? {} : { failure: state.failure }),
      });
    },
    failRegion(name, status) {
      const state = regions.get(name);
      if (state === undefined) throw new Error(`the double has no region ${name}`);
      if (status === undefined) delete state.failure;
      else state.failure = status;
    },
    tokensIssued: () => tokens.size,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** OS_* variables for the double's default user (password auth). */
export function passwordEnv(double: OpenStackDouble): Record<string, string> {
  return {
    OS_AUTH_URL: double.authUrl,
    OS_USERNAME: double.user.name,
    OS_PASSWORD: double.user.password,
    OS_PROJECT_NAME: double.user.project.name,
    OS_USER_DOMAIN_NAME: "Default",
    OS_PROJECT_DOMAIN_NAME: "Default",
  };
}

/** An Ubuntu image record as operators upload them (`openstack image create --property …`). */
export function ubuntuImage(
  id: string,
  version: string,
  architecture: string,
  extra: Partial<DoubleImage> = {},
): DoubleImage {
  return {
    id,
    name: `ubuntu-${version}-${architecture}`,
    ...extra,
    properties: { os_distro: "ubuntu", os_version: version, architecture, ...extra.properties },
  };
}
