import { errorDetail, type FetchFunction, requestJson } from "../images/http-json.ts";
import { KeystoneError } from "./errors.ts";

/** A service of the catalog (Keystone API v3, "Services"). */
export interface KeystoneService {
  id: string;
  type: string;
  name: string | undefined;
  enabled: boolean;
}

/** An endpoint of the catalog (Keystone API v3, "Endpoints"). */
export interface KeystoneEndpoint {
  id: string;
  serviceId: string;
  /** `public`, `internal` or `admin`. */
  interface: string;
  /** The region id (`region_id`; `region` is its deprecated twin). */
  region: string;
  url: string;
  enabled: boolean;
}

export interface KeystoneAdminOptions {
  /** The Identity v3 root, `https://keystone.example.com:5000/v3` (see `identityV3Url`). */
  identityUrl: string;
  /** A project-scoped token (`X-Subject-Token`); managing the catalog needs the admin role. */
  token: string;
  fetch?: FetchFunction;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
}

/** The part of the Keystone v3 API that manages the service catalog. */
export interface KeystoneAdmin {
  listRegions(): Promise<string[]>;
  listServices(type: string): Promise<KeystoneService[]>;
  listEndpoints(serviceId: string): Promise<KeystoneEndpoint[]>;
  createService(input: {
    type: string;
    name: string;
    description: string;
  }): Promise<KeystoneService>;
  createEndpoint(input: {
    serviceId: string;
    interface: string;
    region: string;
    url: string;
  }): Promise<KeystoneEndpoint>;
  updateEndpoint(id: string, url: string): Promise<KeystoneEndpoint>;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function toService(value: unknown): KeystoneService | undefined {
  if (!isRecord(value) || typeof value.id !== "string" || typeof value.type !== "string") {
    return undefined;
  }
  return {
    id: value.id,
    type: value.type,
    name: typeof value.name === "string" ? value.name : undefined,
    enabled: value.enabled !== false,
  };
}

function toEndpoint(value: unknown): KeystoneEndpoint | undefined {
  if (!isRecord(value) || typeof value.id !== "string" || typeof value.url !== "string") {
    return undefined;
  }
  const region =
    typeof value.region_id === "string"
      ? value.region_id
      : typeof value.region === "string"
        ? value.region
        : "";
  return {
    id: value.id,
    serviceId: typeof value.service_id === "string" ? value.service_id : "",
    interface: typeof value.interface === "string" ? value.interface : "",
    region,
    url: value.url,
    enabled: value.enabled !== false,
  };
}

function listOf<T>(body: unknown, field: string, convert: (value: unknown) => T | undefined): T[] {
  const list = isRecord(body) ? body[field] : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((value) => {
    const converted = convert(value);
    return converted === undefined ? [] : [converted];
  });
}

/** A client for Keystone's catalog API; every failure is a `KeystoneError` naming the request. */
export function createKeystoneAdmin(options: KeystoneAdminOptions): KeystoneAdmin {
  const root = options.identityUrl.replace(/\/+$/, "");
  const fetchImpl: FetchFunction = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    const what = `${method} ${path}`;
    const response = await requestJson(
      `${root}${path}`,
      {
        method,
        headers: {
          "x-auth-token": options.token,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      { fetch: fetchImpl, timeoutMs, origin: "keystone", what: `Keystone at ${root}` },
    );
    if (response.status >= 200 && response.status < 300) return response.body;
    const detail = errorDetail(response.body);
    if (response.status === 403) {
      throw new KeystoneError(
        `Keystone refused ${what} (HTTP 403)${detail}; managing services and endpoints needs credentials with the admin role`,
        { status: 403 },
      );
    }
    throw new KeystoneError(`Keystone answered HTTP ${response.status} to ${what}${detail}`, {
      status: response.status,
    });
  }

  function one<T>(
    body: unknown,
    field: string,
    convert: (value: unknown) => T | undefined,
    what: string,
  ): T {
    const converted = convert(isRecord(body) ? body[field] : undefined);
    if (converted === undefined)
      throw new KeystoneError(`Keystone answered ${what} without the ${field}`);
    return converted;
  }

  return {
    async listRegions() {
      const body = await call("GET", "/regions");
      return listOf(body, "regions", (value) =>
        isRecord(value) && typeof value.id === "string" ? value.id : undefined,
      );
    },
    async listServices(type) {
      return listOf(
        await call("GET", `/services?type=${encodeURIComponent(type)}`),
        "services",
        toService,
      );
    },
    async listEndpoints(serviceId) {
      const body = await call("GET", `/endpoints?service_id=${encodeURIComponent(serviceId)}`);
      // Some deployments ignore the filter; keep only this service's endpoints.
      return listOf(body, "endpoints", toEndpoint).filter(
        (endpoint) => endpoint.serviceId === "" || endpoint.serviceId === serviceId,
      );
    },
    async createService(input) {
      const body = await call("POST", "/services", {
        service: {
          type: input.type,
          name: input.name,
          description: input.description,
          enabled: true,
        },
      });
      return one(body, "service", toService, "POST /services");
    },
    async createEndpoint(input) {
      const body = await call("POST", "/endpoints", {
        endpoint: {
          service_id: input.serviceId,
          interface: input.interface,
          region_id: input.region,
          url: input.url,
          enabled: true,
        },
      });
      return one(body, "endpoint", toEndpoint, "POST /endpoints");
    },
    async updateEndpoint(id, url) {
      const body = await call("PATCH", `/endpoints/${encodeURIComponent(id)}`, {
        endpoint: { url },
      });
      return one(body, "endpoint", toEndpoint, `PATCH /endpoints/${id}`);
    },
  };
}
