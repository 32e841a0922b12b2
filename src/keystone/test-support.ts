/**
 * @module
 * Test-only Keystone double (never imported by runtime code): just enough of the Identity
 * v3 API for `keystone endpoints` — password tokens with a catalog, regions, services and
 * endpoints (list, create, update) — as a web `fetch` handler, so tests can call it
 * directly or serve it on loopback. Runtime-neutral like the folder.
 */

export interface DoubleEndpoint {
  id: string;
  service_id: string;
  interface: string;
  region_id: string;
  region: string;
  url: string;
  enabled: boolean;
}

export interface DoubleService {
  id: string;
  type: string;
  name: string;
  description?: string;
  enabled: boolean;
}

export interface KeystoneDoubleOptions {
  regions?: string[];
  /** false: every catalog call but the token answers 403, as for a member role. */
  admin?: boolean;
  password?: string;
}

export interface KeystoneDouble {
  /** Handles `/v3/…` requests (any origin). */
  fetch: typeof fetch;
  services: DoubleService[];
  endpoints: DoubleEndpoint[];
  /** `METHOD /path?query`, in order. */
  requests: string[];
  addService(type: string, name?: string): DoubleService;
  addEndpoint(
    service: DoubleService,
    region: string,
    endpointInterface: string,
    url: string,
  ): DoubleEndpoint;
}

const TOKEN = "gAAAAA-double-token";

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function createKeystoneDouble(options: KeystoneDoubleOptions = {}): KeystoneDouble {
  const regions = options.regions ?? ["RegionOne", "RegionTwo"];
  const password = options.password ?? "secret";
  const services: DoubleService[] = [];
  const endpoints: DoubleEndpoint[] = [];
  const requests: string[] = [];
  let ids = 0;
  const nextId = (prefix: string) => `${prefix}${(++ids).toString(16).padStart(8, "0")}`;

  function addService(type: string, name = type): DoubleService {
    const service = { id: nextId("svc"), type, name, enabled: true };
    services.push(service);
    return service;
  }

  function addEndpoint(
    service: DoubleService,
    region: string,
    endpointInterface: string,
    url: string,
  ) {
    const endpoint = {
      id: nextId("ep"),
      service_id: service.id,
      interface: endpointInterface,
      region_id: region,
      region,
      url,
      enabled: true,
    };
    endpoints.push(endpoint);
    return endpoint;
  }

  const identity = addService("identity", "keystone");
  for (const region of regions) addEndpoint(identity, region, "public", "http://keystone.test/v3");

  function catalog() {
    return services.map((service) => ({
      type: service.type,
      name: service.name,
      id: service.id,
      endpoints: endpoints
        .filter((endpoint) => endpoint.service_id === service.id)
        .map(({ id, interface: endpointInterface, region, region_id, url }) => ({
          id,
          interface: endpointInterface,
          region,
          region_id,
          url,
        })),
    }));
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.replace(/^.*\/v3/, "");
    requests.push(`${request.method} ${path}${url.search}`);
    if (request.method === "POST" && path === "/auth/tokens") {
      const body = (await request.json()) as {
        auth?: { identity?: { password?: { user?: { password?: string } } } };
      };
      if (body.auth?.identity?.password?.user?.password !== password) {
        return json(401, {
          error: { code: 401, message: "The request you have made requires authentication." },
        });
      }
      return json(201, { token: { catalog: catalog() } }, { "x-subject-token": TOKEN });
    }
    if (request.headers.get("x-auth-token") !== TOKEN) {
      return json(401, {
        error: { code: 401, message: "The request you have made requires authentication." },
      });
    }
    if (options.admin === false) {
      return json(403, {
        error: { code: 403, message: "You are not authorized to perform the requested action." },
      });
    }
    if (request.method === "GET" && path === "/regions") {
      return json(200, { regions: regions.map((id) => ({ id })) });
    }
    if (request.method === "GET" && path === "/services") {
      const type = url.searchParams.get("type");
      return json(200, {
        services: services.filter((service) => type === null || service.type === type),
      });
    }
    if (request.method === "POST" && path === "/services") {
      const { service } = (await request.json()) as { service: Omit<DoubleService, "id"> };
      const created = { ...service, id: nextId("svc") };
      services.push(created);
      return json(201, { service: created });
    }
    if (request.method === "GET" && path === "/endpoints") {
      const serviceId = url.searchParams.get("service_id");
      return json(200, {
        endpoints: endpoints.filter(
          (endpoint) => serviceId === null || endpoint.service_id === serviceId,
        ),
      });
    }
    if (request.method === "POST" && path === "/endpoints") {
      const { endpoint } = (await request.json()) as {
        endpoint: Omit<DoubleEndpoint, "id" | "region">;
      };
      if (!regions.includes(endpoint.region_id)) {
        return json(400, { error: { code: 400, message: `Invalid region ${endpoint.region_id}` } });
      }
      if (!services.some((service) => service.id === endpoint.service_id)) {
        return json(400, { error: { code: 400, message: "Invalid service" } });
      }
      const created = { ...endpoint, id: nextId("ep"), region: endpoint.region_id };
      endpoints.push(created);
      return json(201, { endpoint: created });
    }
    const patch = /^\/endpoints\/([^/]+)$/.exec(path);
    if (request.method === "PATCH" && patch !== null) {
      const endpoint = endpoints.find((candidate) => candidate.id === patch[1]);
      if (endpoint === undefined) return json(404, { error: { code: 404, message: "not found" } });
      const body = (await request.json()) as { endpoint: { url: string } };
      endpoint.url = body.endpoint.url;
      return json(200, { endpoint });
    }
    return json(404, { error: { code: 404, message: `no route ${request.method} ${path}` } });
  }

  return {
    fetch: ((input: string | URL | Request, init?: RequestInit) =>
      handle(new Request(input, init))) as typeof fetch,
    services,
    endpoints,
    requests,
    addService,
    addEndpoint,
  };
}
