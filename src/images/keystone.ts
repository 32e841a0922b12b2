import { errorDetail, type FetchFunction, requestJson } from "./http-json.ts";
import { ImageSourceError } from "./images-errors.ts";
import type { OpenStackCredentials } from "./openstack-credentials.ts";

/** One entry of a v3 token's service catalog (Keystone API v3, "Token" schema). */
export interface CatalogService {
  type: string;
  name?: string;
  endpoints: { interface: string; region?: string; region_id?: string; url: string }[];
}

export interface KeystoneToken {
  /** `X-Subject-Token`: a secret, sent to Glance only. */
  token: string;
  catalog: CatalogService[];
}

export interface AuthenticateOptions {
  fetch: FetchFunction;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * The v3 API root for an auth URL as openrc files write it: `…/v3` kept, a bare
 * `https://keystone:5000` gets `/v3`. Keystone v2.0 is gone from every supported release.
 */
export function identityV3Url(authUrl: string): string {
  const base = authUrl.replace(/\/+$/, "");
  if (/\/v3$/.test(base)) return base;
  if (/\/v2\.0$/.test(base)) {
    throw new ImageSourceError(
      "keystone",
      `${authUrl} is a Keystone v2.0 URL; streamgate speaks Identity v3 only (use …/v3)`,
    );
  }
  return `${base}/v3`;
}

function domain(name: string | undefined, id: string | undefined) {
  if (id !== undefined) return { id };
  return name === undefined ? undefined : { name };
}

function user(auth: {
  username?: string;
  userId?: string;
  userDomainName?: string;
  userDomainId?: string;
}) {
  if (auth.userId !== undefined) return { id: auth.userId };
  const userDomain = domain(auth.userDomainName, auth.userDomainId);
  return { name: auth.username, ...(userDomain === undefined ? {} : { domain: userDomain }) };
}

/** The `POST /v3/auth/tokens` body (Keystone API v3, "Password authentication with scoped authorization"). */
function authBody(credentials: OpenStackCredentials): unknown {
  const { auth } = credentials;
  if (auth.type === "applicationCredential") {
    const credential =
      auth.id !== undefined
        ? { id: auth.id, secret: auth.secret }
        : { name: auth.name, user: user(auth), secret: auth.secret };
    return {
      auth: {
        identity: { methods: ["application_credential"], application_credential: credential },
      },
    };
  }
  const projectDomain = domain(auth.projectDomainName, auth.projectDomainId);
  const project =
    auth.projectId !== undefined
      ? { id: auth.projectId }
      : {
          name: auth.projectName,
          ...(projectDomain === undefined ? {} : { domain: projectDomain }),
        };
  return {
    auth: {
      identity: {
        methods: ["password"],
        password: { user: { ...user(auth), password: auth.password } },
      },
      scope: { project },
    },
  };
}

/** Who is logging in, for messages: never the password or secret. */
export function describePrincipal(credentials: OpenStackCredentials): string {
  const { auth } = credentials;
  const who = auth.username ?? auth.userId ?? "";
  if (auth.type === "applicationCredential") {
    const name = auth.id ?? auth.name ?? "";
    return `application credential ${name}${auth.id === undefined && who !== "" ? ` of user ${who}` : ""}`;
  }
  return `user ${who}`;
}

function parseCatalog(body: unknown): CatalogService[] | undefined {
  const token = (body as { token?: { catalog?: unknown } } | undefined)?.token;
  if (!Array.isArray(token?.catalog)) return undefined;
  const services: CatalogService[] = [];
  for (const service of token.catalog as unknown[]) {
    if (typeof service !== "object" || service === null) continue;
    const { type, name, endpoints } = service as Record<string, unknown>;
    if (typeof type !== "string" || !Array.isArray(endpoints)) continue;
    services.push({
      type,
      ...(typeof name === "string" ? { name } : {}),
      endpoints: endpoints.filter(
        (endpoint): endpoint is CatalogService["endpoints"][number] =>
          typeof endpoint === "object" &&
          endpoint !== null &&
          typeof endpoint.url === "string" &&
          typeof endpoint.interface === "string",
      ),
    });
  }
  return services;
}

/**
 * Issues a project-scoped token (`POST /v3/auth/tokens`) and returns it with its service
 * catalog.
 *
 * @throws {ImageSourceError} Keystone unreachable, slow, refusing the credentials (401:
 *   "Keystone rejected the credentials for user X at URL"), or answering without a catalog.
 */
export async function authenticate(
  credentials: OpenStackCredentials,
  options: AuthenticateOptions,
): Promise<KeystoneToken> {
  const url = `${identityV3Url(credentials.authUrl)}/auth/tokens`;
  const what = `Keystone at ${credentials.authUrl}`;
  const response = await requestJson(
    url,
    {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(authBody(credentials)),
    },
    { ...options, origin: "keystone", what },
  );
  if (response.status === 401) {
    throw new ImageSourceError(
      "keystone",
      `Keystone rejected the credentials for ${describePrincipal(credentials)} at ${credentials.authUrl} (HTTP 401)${errorDetail(response.body)}`,
    );
  }
  if (response.status !== 201 && response.status !== 200) {
    throw new ImageSourceError(
      "keystone",
      `${what} answered HTTP ${response.status} to POST /v3/auth/tokens${errorDetail(response.body)}`,
    );
  }
  const token = response.headers.get("x-subject-token");
  const catalog = parseCatalog(response.body);
  if (token === null || token === "" || catalog === undefined) {
    throw new ImageSourceError(
      "keystone",
      `${what} issued a token without ${token ? "a service catalog" : "an X-Subject-Token header"}`,
    );
  }
  if (catalog.length === 0) {
    throw new ImageSourceError(
      "keystone",
      `${what} issued a token with an empty service catalog for ${describePrincipal(credentials)}; is the project scope right?`,
    );
  }
  return { token, catalog };
}
