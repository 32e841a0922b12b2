import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { ImagesJobConfig } from "../config/schema.ts";
import type { Job } from "../scheduler/job.ts";
import { defaultCloudsSearchPath, loadCloudCredentials } from "./clouds-yaml.ts";
import type { FetchFunction } from "./http-json.ts";
import type { ImageSource } from "./image-source.ts";
import { ImagesInputError } from "./images-errors.ts";
import { createImagesJob, type ImagesJobDeps } from "./images-job.ts";
import { createNodeFetch } from "./node-fetch.ts";
import {
  type EndpointInterface,
  type OpenStackCredentials,
  openStackCredentialsFromEnv,
} from "./openstack-credentials.ts";
import { createOpenStackSource } from "./openstack-source.ts";
import { createStaticImageSource, parseStaticImageList } from "./static-image-list.ts";

/**
 * Node only: image sources and signing keys from files — static lists, clouds.yaml,
 * `OS_CACERT`, `--signing-key FILE` — and the Node `images` job built on them.
 */

export interface OpenNodeImageSourceOptions {
  /** `openstack`, or the path of a static list (YAML or JSON). */
  from: string;
  /** clouds.yaml entry; default `OS_CLOUD`; absent → the `OS_*` variables. */
  osCloud?: string;
  interface?: EndpointInterface;
  env?: Readonly<Record<string, string | undefined>>;
  /** Relative paths resolve against it. Default `process.cwd()`. */
  cwd?: string;
  /** Where clouds.yaml is looked for; default `defaultCloudsSearchPath(cwd)`. */
  cloudsSearchPath?: readonly string[];
  /** Replaces the fetch chosen from `cacert`/`insecure` (tests). */
  fetch?: FetchFunction;
  /** Per HTTP request. Default 30 s. */
  timeoutMs?: number;
}

async function readInputFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new ImagesInputError(`cannot read ${what} ${path}`, [(error as Error).message]);
  }
}

async function fetchFor(
  credentials: OpenStackCredentials,
  cwd: string,
): Promise<FetchFunction | undefined> {
  if (credentials.cacert === undefined && credentials.insecure !== true) return undefined;
  const ca =
    credentials.cacert === undefined
      ? undefined
      : await readInputFile(resolve(cwd, credentials.cacert), "the CA bundle (OS_CACERT)");
  return createNodeFetch({
    ...(ca === undefined ? {} : { ca }),
    rejectUnauthorized: credentials.insecure !== true,
  });
}

/** The source `--from`/`images.from` names, with credentials from clouds.yaml or `OS_*`. */
export async function openNodeImageSource(
  options: OpenNodeImageSourceOptions,
): Promise<ImageSource> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  if (options.from !== "openstack") {
    const path = resolve(cwd, options.from);
    const text = await readInputFile(path, "the static image list");
    return createStaticImageSource(parseStaticImageList(text, options.from), options.from);
  }
  const cloud = options.osCloud ?? env.OS_CLOUD;
  const credentials =
    cloud === undefined || cloud === ""
      ? openStackCredentialsFromEnv(
          env,
          options.interface === undefined ? {} : { interface: options.interface },
        )
      : await loadCloudCredentials({
          cloud,
          env,
          searchPath: options.cloudsSearchPath ?? defaultCloudsSearchPath(cwd),
          ...(options.interface === undefined ? {} : { interface: options.interface }),
        });
  const fetch = options.fetch ?? (await fetchFor(credentials, cwd));
  return createOpenStackSource({
    credentials,
    ...(fetch === undefined ? {} : { fetch }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
}

/** The armored private key in a file; the error names the file, never its content. */
export function readSigningKeyFile(path: string, cwd = process.cwd()): Promise<string> {
  return readInputFile(resolve(cwd, path), "the signing key");
}

export interface NodeImagesJobOptions {
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  lock?: ImagesJobDeps["lock"];
  now?: () => Date;
}

/**
 * The `images` job on Node: source from `images.from`/`osCloud` (files, clouds.yaml or
 * `OS_*`), signing key from the `images.signingKey` file, else the
 * `STREAMGATE_SIGNING_KEY` variable — all read again on every run.
 */
export function createNodeImagesJob(
  config: ImagesJobConfig,
  options: NodeImagesJobOptions = {},
): Job {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  return createImagesJob(config, {
    openSource: () =>
      openNodeImageSource({
        from: config.from,
        ...(config.osCloud === undefined ? {} : { osCloud: config.osCloud }),
        ...(config.interface === undefined ? {} : { interface: config.interface }),
        env,
        cwd,
      }),
    signingKey: async () => {
      if (config.signingKey !== undefined) return readSigningKeyFile(config.signingKey, cwd);
      const key = env.STREAMGATE_SIGNING_KEY;
      return key === undefined || key.trim() === "" ? undefined : key;
    },
    ...(options.lock === undefined ? {} : { lock: options.lock }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}
