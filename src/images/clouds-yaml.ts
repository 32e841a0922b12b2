import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { ImagesInputError } from "./images-errors.ts";
import {
  type ApplicationCredentialAuth,
  type CredentialField,
  checkOpenStackCredentials,
  type OpenStackCredentials,
  type PasswordAuth,
  parseEndpointInterface,
} from "./openstack-credentials.ts";

/**
 * Node only: `clouds.yaml` (+ `secure.yaml`) the way the `openstack` CLI (openstacksdk's
 * config loader) finds and reads them.
 */

export interface CloudsYamlOptions {
  /** `--os-cloud` / `images.osCloud`, else `OS_CLOUD`. */
  cloud: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Folders searched, in order. Default: the current folder, ~/.config/openstack, /etc/openstack. */
  searchPath?: readonly string[];
  /** Wins over the cloud's `interface` (the config's `images.interface`). */
  interface?: OpenStackCredentials["interface"];
}

const CLOUD_FILES = ["clouds.yaml", "clouds.yml", "clouds.json"];
const SECURE_FILES = ["secure.yaml", "secure.yml", "secure.json"];

/** openstacksdk's CONFIG_SEARCH_PATH. */
export function defaultCloudsSearchPath(cwd = process.cwd(), home = homedir()): string[] {
  return [cwd, join(home, ".config", "openstack"), "/etc/openstack"];
}

interface FoundFile {
  path: string;
  document: Record<string, unknown>;
}

async function readFirst(paths: readonly string[]): Promise<FoundFile | undefined> {
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") continue;
      throw new ImagesInputError(`cannot read ${path}`, [(error as Error).message]);
    }
    let document: unknown;
    try {
      document = parseYaml(text, { uniqueKeys: true });
    } catch (error) {
      if (error instanceof YAMLParseError) throw new ImagesInputError(path, [error.message]);
      throw error;
    }
    return { path, document: isRecord(document) ? document : {} };
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** secure.yaml's values win; nested mappings merge, as in openstacksdk's `_merge_clouds`. */
function merge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key];
    merged[key] = isRecord(current) && isRecord(value) ? merge(current, value) : value;
  }
  return merged;
}

function text(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  if (typeof value === "number") return String(value);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function strip<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}

const AUTH_KEYS: Record<CredentialField, string> = {
  authUrl: "auth.auth_url",
  username: "auth.username",
  userId: "auth.user_id",
  password: "auth.password",
  projectName: "auth.project_name",
  projectId: "auth.project_id",
  applicationCredentialId: "auth.application_credential_id",
  applicationCredentialName: "auth.application_credential_name",
  applicationCredentialSecret: "auth.application_credential_secret",
  interface: "interface",
};

/** Credentials of one cloud entry (already merged with secure.yaml). */
export function credentialsFromCloud(
  entry: Record<string, unknown>,
  origin: string,
  options: Pick<CloudsYamlOptions, "env" | "interface"> = {},
): OpenStackCredentials {
  const env = options.env ?? {};
  const auth = isRecord(entry.auth) ? entry.auth : {};
  const authType = text(entry, "auth_type")?.toLowerCase();
  const domainName = text(auth, "domain_name");
  const domainId = text(auth, "domain_id");
  const defaultDomain = env.OS_DEFAULT_DOMAIN ?? "default";
  const problems: string[] = [];
  const username = text(auth, "username");
  const userDomainName = text(auth, "user_domain_name") ?? domainName;
  const userDomainId =
    text(auth, "user_domain_id") ??
    domainId ??
    (username !== undefined && userDomainName === undefined ? defaultDomain : undefined);
  const user = strip({ username, userId: text(auth, "user_id"), userDomainName, userDomainId });
  let credentials: PasswordAuth | ApplicationCredentialAuth;
  if (
    authType === "v3applicationcredential" ||
    (authType === undefined && text(auth, "application_credential_secret") !== undefined)
  ) {
    credentials = {
      type: "applicationCredential",
      // A secret kept out of clouds.yaml may come from the environment, as with the CLI.
      secret:
        text(auth, "application_credential_secret") ?? env.OS_APPLICATION_CREDENTIAL_SECRET ?? "",
      ...strip({
        id: text(auth, "application_credential_id"),
        name: text(auth, "application_credential_name"),
      }),
      ...user,
    };
  } else {
    if (authType !== undefined && authType !== "password" && authType !== "v3password") {
      problems.push(
        `auth_type ${authType} is not supported (use password or v3applicationcredential)`,
      );
    }
    const projectName = text(auth, "project_name") ?? text(auth, "tenant_name");
    const projectDomainName = text(auth, "project_domain_name") ?? domainName;
    const projectDomainId =
      text(auth, "project_domain_id") ??
      domainId ??
      (projectName !== undefined && projectDomainName === undefined ? defaultDomain : undefined);
    credentials = {
      type: "password",
      password: text(auth, "password") ?? env.OS_PASSWORD ?? "",
      ...user,
      ...strip({
        projectName,
        projectId: text(auth, "project_id") ?? text(auth, "tenant_id"),
        projectDomainName,
        projectDomainId,
      }),
    };
  }
  let endpointInterface = options.interface;
  const rawInterface = text(entry, "interface");
  if (endpointInterface === undefined && rawInterface !== undefined) {
    endpointInterface = parseEndpointInterface(rawInterface);
    if (endpointInterface === undefined) {
      problems.push(`interface ${rawInterface} is not public, internal or admin`);
    }
  }
  const cacert = text(entry, "cacert");
  const result: OpenStackCredentials = {
    authUrl: text(auth, "auth_url") ?? "",
    auth: credentials,
    ...(endpointInterface === undefined ? {} : { interface: endpointInterface }),
    ...(cacert === undefined ? {} : { cacert }),
    ...(entry.verify === false ? { insecure: true } : {}),
  };
  problems.push(...checkOpenStackCredentials(result, (field) => AUTH_KEYS[field]));
  if (problems.length > 0) throw new ImagesInputError(origin, problems);
  return result;
}

/**
 * Credentials of a named cloud: the first `clouds.yaml` found (`OS_CLIENT_CONFIG_FILE`,
 * then ./, ~/.config/openstack/, /etc/openstack/) merged with the first `secure.yaml`
 * (`OS_CLIENT_SECURE_FILE`, then the same folders). `OS_*` variables are not mixed in —
 * two clouds' settings must not combine — except a password or application credential
 * secret the entry leaves out.
 *
 * @throws {ImagesInputError} no file, no such cloud, or incomplete credentials.
 */
export async function loadCloudCredentials(
  options: CloudsYamlOptions,
): Promise<OpenStackCredentials> {
  const env = options.env ?? {};
  const searchPath = options.searchPath ?? defaultCloudsSearchPath();
  const explicit = (name: string) => (env[name] ? [env[name] as string] : []);
  const cloudPaths = [
    ...explicit("OS_CLIENT_CONFIG_FILE"),
    ...searchPath.flatMap((dir) => CLOUD_FILES.map((file) => join(dir, file))),
  ];
  const clouds = await readFirst(cloudPaths);
  if (clouds === undefined) {
    throw new ImagesInputError(`--os-cloud ${options.cloud}`, [
      `no clouds.yaml found (searched ${searchPath.map((dir) => join(dir, "clouds.yaml")).join(", ")})`,
    ]);
  }
  const secure = await readFirst([
    ...explicit("OS_CLIENT_SECURE_FILE"),
    ...searchPath.flatMap((dir) => SECURE_FILES.map((file) => join(dir, file))),
  ]);
  const all = isRecord(clouds.document.clouds) ? clouds.document.clouds : {};
  const entry = all[options.cloud];
  if (!isRecord(entry)) {
    const names = Object.keys(all);
    throw new ImagesInputError(`--os-cloud ${options.cloud}`, [
      `cloud ${options.cloud} is not in ${clouds.path} (${names.length === 0 ? "it lists no clouds" : `clouds: ${names.join(", ")}`})`,
    ]);
  }
  const secureClouds = isRecord(secure?.document.clouds) ? secure.document.clouds : {};
  const secureEntry = secureClouds[options.cloud];
  const merged = isRecord(secureEntry) ? merge(entry, secureEntry) : entry;
  return credentialsFromCloud(merged, `clouds.${options.cloud} in ${clouds.path}`, options);
}
