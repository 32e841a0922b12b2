import type { ImagesJobConfig } from "../config/schema.ts";
import type { Job } from "../scheduler/job.ts";
import type { FetchFunction } from "./http-json.ts";
import { ImagesInputError } from "./images-errors.ts";
import { createImagesJob, type ImagesJobDeps } from "./images-job.ts";
import { openStackCredentialsFromEnv } from "./openstack-credentials.ts";
import { createOpenStackSource } from "./openstack-source.ts";

export interface ImagesJobFromEnvOptions {
  lock?: ImagesJobDeps["lock"];
  fetch?: FetchFunction;
  now?: () => Date;
}

/**
 * The `images` job where there are no files — a Worker: OpenStack credentials from the
 * `OS_*` secrets and the signing key from the `STREAMGATE_SIGNING_KEY` secret, both read
 * per run. A static list (`from: FILE`) or `osCloud` needs files and fails the run with a
 * message saying so; creating the job never throws, so serving is never affected.
 */
export function createImagesJobFromEnv(
  config: ImagesJobConfig,
  env: Readonly<Record<string, unknown>>,
  options: ImagesJobFromEnvOptions = {},
): Job {
  const text = (name: string) =>
    typeof env[name] === "string" ? (env[name] as string) : undefined;
  const secrets = () =>
    Object.fromEntries(
      Object.keys(env)
        .filter((name) => name.startsWith("OS_"))
        .map((name) => [name, text(name)]),
    );
  return createImagesJob(config, {
    openSource: () => {
      if (config.from !== "openstack" || config.osCloud !== undefined) {
        throw new ImagesInputError("images configuration", [
          config.from !== "openstack"
            ? `from: ${config.from} needs a file, which this runtime cannot read; use from: openstack with OS_* secrets`
            : "osCloud needs clouds.yaml, which this runtime cannot read; set the OS_* secrets instead",
        ]);
      }
      const credentials = openStackCredentialsFromEnv(
        secrets(),
        config.interface === undefined ? {} : { interface: config.interface },
      );
      return createOpenStackSource({
        credentials,
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      });
    },
    signingKey: async () => {
      const key = text("STREAMGATE_SIGNING_KEY");
      return key === undefined || key.trim() === "" ? undefined : key;
    },
    ...(options.lock === undefined ? {} : { lock: options.lock }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}
