import { ImagesInputError } from "./images-errors.ts";

/** Which catalog URL to use (Keystone's endpoint `interface`). */
export type EndpointInterface = "public" | "internal" | "admin";

export interface PasswordAuth {
  type: "password";
  username?: string;
  userId?: string;
  password: string;
  userDomainName?: string;
  userDomainId?: string;
  projectName?: string;
  projectId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
}

/** Application credentials carry their own project scope. */
export interface ApplicationCredentialAuth {
  type: "applicationCredential";
  id?: string;
  name?: string;
  secret: string;
  /** Needed with `name` (names are unique per user only). */
  username?: string;
  userId?: string;
  userDomainName?: string;
  userDomainId?: string;
}

export interface OpenStackCredentials {
  /** As given (`OS_AUTH_URL`): with or without `/v3`. */
  authUrl: string;
  auth: PasswordAuth | ApplicationCredentialAuth;
  /** Default `public`. */
  interface?: EndpointInterface;
  /** A PEM file to trust (`OS_CACERT`); Node only — see `createNodeFetch`. */
  cacert?: string;
  /** `OS_INSECURE` / `verify: false`: skip TLS verification (Node only). */
  insecure?: boolean;
}

/** Keys of the credentials, for messages naming where each comes from. */
export type CredentialField =
  | "authUrl"
  | "username"
  | "userId"
  | "password"
  | "projectName"
  | "projectId"
  | "applicationCredentialId"
  | "applicationCredentialName"
  | "applicationCredentialSecret"
  | "interface";

/** `public`, `publicURL`, `internal`… → the catalog's interface name. */
export function parseEndpointInterface(value: string): EndpointInterface | undefined {
  const name = value.trim().toLowerCase().replace(/url$/, "");
  return name === "public" || name === "internal" || name === "admin" ? name : undefined;
}

/**
 * The problems that would make Keystone refuse to even try, each naming the setting as the
 * operator wrote it (`OS_PASSWORD`, `clouds.prod.auth.password`).
 */
export function checkOpenStackCredentials(
  credentials: OpenStackCredentials,
  name: (field: CredentialField) => string,
): string[] {
  const problems: string[] = [];
  if (credentials.authUrl === "") problems.push(`${name("authUrl")} is not set`);
  else if (!/^https?:\/\//i.test(credentials.authUrl)) {
    problems.push(`${name("authUrl")} must be an http:// or https:// URL`);
  }
  const { auth } = credentials;
  if (auth.type === "password") {
    if (!auth.username && !auth.userId) problems.push(`${name("username")} is not set`);
    if (!auth.password) problems.push(`${name("password")} is not set`);
    if (!auth.projectName && !auth.projectId) {
      problems.push(
        `${name("projectName")} or ${name("projectId")} is not set (the token needs a project scope to carry a service catalog)`,
      );
    }
  } else {
    if (!auth.secret) problems.push(`${name("applicationCredentialSecret")} is not set`);
    if (!auth.id && !auth.name) {
      problems.push(
        `${name("applicationCredentialId")} or ${name("applicationCredentialName")} is not set`,
      );
    } else if (!auth.id && !auth.username && !auth.userId) {
      problems.push(
        `${name("applicationCredentialName")} needs ${name("username")} or ${name("userId")}`,
      );
    }
  }
  return problems;
}

const ENV_NAMES: Record<CredentialField, string> = {
  authUrl: "OS_AUTH_URL",
  username: "OS_USERNAME",
  userId: "OS_USER_ID",
  password: "OS_PASSWORD",
  projectName: "OS_PROJECT_NAME",
  projectId: "OS_PROJECT_ID",
  applicationCredentialId: "OS_APPLICATION_CREDENTIAL_ID",
  applicationCredentialName: "OS_APPLICATION_CREDENTIAL_NAME",
  applicationCredentialSecret: "OS_APPLICATION_CREDENTIAL_SECRET",
  interface: "OS_INTERFACE",
};

function defined<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(
    Object.entries(record).filter(([, value]) => value !== undefined && value !== ""),
  ) as T;
}

export interface CredentialsFromEnvOptions {
  /** Wins over `OS_INTERFACE` (the config's `images.interface`). */
  interface?: EndpointInterface;
}

/**
 * Credentials from the standard `OS_*` variables, as an openrc file sets them: password
 * (`OS_USERNAME`/`OS_PASSWORD` + project) or application credential
 * (`OS_AUTH_TYPE=v3applicationcredential`, or simply `OS_APPLICATION_CREDENTIAL_SECRET`).
 * Like python-openstackclient, a user or project named without a domain is taken to be in
 * `OS_DEFAULT_DOMAIN` (default `default`). `OS_TENANT_*` are read as the older names of
 * `OS_PROJECT_*`. `OS_REGION_NAME` is not read: image-ids must cover every region.
 *
 * @throws {ImagesInputError} naming each missing or invalid variable.
 */
export function openStackCredentialsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  options: CredentialsFromEnvOptions = {},
): OpenStackCredentials {
  const value = (name: string) => {
    const text = env[name]?.trim();
    return text === undefined || text === "" ? undefined : text;
  };
  const defaultDomain = value("OS_DEFAULT_DOMAIN") ?? "default";
  const authType = value("OS_AUTH_TYPE")?.toLowerCase();
  const userDomain = defined({
    userDomainName: value("OS_USER_DOMAIN_NAME"),
    userDomainId: value("OS_USER_DOMAIN_ID"),
  });
  const username = value("OS_USERNAME");
  if (username !== undefined && Object.keys(userDomain).length === 0) {
    userDomain.userDomainId = defaultDomain;
  }
  const user = defined({ username, userId: value("OS_USER_ID"), ...userDomain });
  const problems: string[] = [];
  let auth: PasswordAuth | ApplicationCredentialAuth;
  if (
    authType === "v3applicationcredential" ||
    (authType === undefined && value("OS_APPLICATION_CREDENTIAL_SECRET") !== undefined)
  ) {
    auth = {
      type: "applicationCredential",
      secret: value("OS_APPLICATION_CREDENTIAL_SECRET") ?? "",
      ...defined({
        id: value("OS_APPLICATION_CREDENTIAL_ID"),
        name: value("OS_APPLICATION_CREDENTIAL_NAME"),
      }),
      ...user,
    };
  } else {
    if (authType !== undefined && authType !== "password" && authType !== "v3password") {
      problems.push(
        `OS_AUTH_TYPE=${authType} is not supported (use password, v3password or v3applicationcredential)`,
      );
    }
    const projectName = value("OS_PROJECT_NAME") ?? value("OS_TENANT_NAME");
    const projectDomain = defined({
      projectDomainName: value("OS_PROJECT_DOMAIN_NAME"),
      projectDomainId: value("OS_PROJECT_DOMAIN_ID"),
    });
    if (projectName !== undefined && Object.keys(projectDomain).length === 0) {
      projectDomain.projectDomainId = defaultDomain;
    }
    auth = {
      type: "password",
      password: value("OS_PASSWORD") ?? "",
      ...user,
      ...defined({ projectName, projectId: value("OS_PROJECT_ID") ?? value("OS_TENANT_ID") }),
      ...projectDomain,
    };
  }
  let endpointInterface = options.interface;
  const rawInterface = value("OS_INTERFACE") ?? value("OS_ENDPOINT_TYPE");
  if (endpointInterface === undefined && rawInterface !== undefined) {
    endpointInterface = parseEndpointInterface(rawInterface);
    if (endpointInterface === undefined) {
      problems.push(`OS_INTERFACE=${rawInterface} is not public, internal or admin`);
    }
  }
  const insecure = value("OS_INSECURE")?.toLowerCase();
  const credentials: OpenStackCredentials = {
    authUrl: value("OS_AUTH_URL") ?? "",
    auth,
    ...(endpointInterface === undefined ? {} : { interface: endpointInterface }),
    ...defined({ cacert: value("OS_CACERT") }),
    ...(insecure === "true" || insecure === "1" ? { insecure: true } : {}),
  };
  problems.push(...checkOpenStackCredentials(credentials, (field) => ENV_NAMES[field]));
  if (problems.length > 0) throw new ImagesInputError("OpenStack credentials", problems);
  return credentials;
}
