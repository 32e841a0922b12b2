import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { tryParseJujuVersion } from "../core/index.ts";
import { JUJU_ARCHES } from "../images/juju-arch.ts";
import { UnusableKeyError } from "../signing/errors.ts";
import { parsePublicKeys } from "../signing/parse-keys.ts";
import {
  formatVerifyReport,
  parseImageBase,
  type VerifyMirrorOptions,
  type VerifyReport,
  verifyMirror,
} from "../verify/index.ts";
import { createFileAwareFetch, createNodeSha256 } from "./file-fetch.ts";
import { UsageError } from "./usage-error.ts";

/** Flags of `streamgate verify` (DESIGN.md §6). */
export interface VerifyFlags {
  agentsUrl?: string;
  imagesUrl?: string;
  agentKey?: string;
  imageKey?: string;
  jujuVersion?: string;
  arch?: string;
  agentStream?: string;
  region?: string;
  endpoint?: string;
  base?: string;
  /** `--no-tarballs` sets it false. */
  tarballs?: boolean;
  json?: boolean;
}

export interface VerifyIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  isTty: boolean;
}

const processIo: VerifyIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  isTty: process.stderr.isTTY === true,
};

/** Juju would fail on the mirror: exit 1, after the report is printed. */
export class VerifyFailedError extends Error {
  constructor(problems: number) {
    super(
      `verify found ${problems} problem${problems === 1 ? "" : "s"}; Juju would fail on or ignore part of this mirror`,
    );
    this.name = "VerifyFailedError";
  }
}

const HTTP_URL = /^https?:\/\/\S+$/i;

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

/** A URL (http, https, file) as given, or a path as a `file:` URL; no trailing slash. */
function toUrl(value: string, cwd: string): string {
  const url =
    HTTP_URL.test(value) || value.startsWith("file:")
      ? value
      : pathToFileURL(resolve(cwd, value)).href;
  return url.replace(/\/+$/, "");
}

async function readKey(path: string, flag: string, cwd: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, path), "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${flag} ${path}: ${(error as Error).message}`);
  }
  try {
    await parsePublicKeys(text);
  } catch (error) {
    if (error instanceof UnusableKeyError) {
      throw new UsageError(
        `${flag} ${path}: ${error.message.replace(/^\[streamgate\] \[signing\] /, "")}`,
      );
    }
    throw error;
  }
  return text;
}

function checkFlags(flags: VerifyFlags): void {
  const problems: string[] = [];
  if (
    flags.jujuVersion !== undefined &&
    tryParseJujuVersion(flags.jujuVersion) === undefined &&
    !/^\d+\.\d+$/.test(flags.jujuVersion)
  ) {
    problems.push(
      `\`--juju-version\` expects a Juju version such as 3.6.12 or 3.6, got ${flags.jujuVersion}`,
    );
  }
  if (flags.arch !== undefined && !JUJU_ARCHES.includes(flags.arch)) {
    problems.push(`\`--arch\` expects one of ${JUJU_ARCHES.join(", ")}, got ${flags.arch}`);
  }
  if (flags.agentStream !== undefined && !/^[a-z]+$/.test(flags.agentStream)) {
    problems.push(
      `\`--agent-stream\` expects a stream name such as released or proposed, got ${flags.agentStream}`,
    );
  }
  if ((flags.region === undefined) !== (flags.endpoint === undefined)) {
    problems.push(
      "`--region` and `--endpoint` go together: Juju matches the image index on both (the endpoint is the Keystone URL of Juju's cloud)",
    );
  }
  if (flags.endpoint !== undefined && !HTTP_URL.test(flags.endpoint)) {
    problems.push(`\`--endpoint\` expects an http:// or https:// URL, got ${flags.endpoint}`);
  }
  if (flags.base !== undefined && parseImageBase(flags.base) === undefined) {
    problems.push(`\`--base\` expects ubuntu@YY.MM (e.g. ubuntu@24.04), got ${flags.base}`);
  }
  for (const [flag, value] of [
    ["--agents-url", flags.agentsUrl],
    ["--images-url", flags.imagesUrl],
  ] as const) {
    if (
      value !== undefined &&
      /^[a-z][a-z0-9+.-]*:\/\//i.test(value) &&
      !HTTP_URL.test(value) &&
      !value.startsWith("file:")
    ) {
      problems.push(
        `\`${flag}\` expects an http(s):// or file:// URL or a directory, got ${value}`,
      );
    }
  }
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
}

/** Where agents and images are, from ROOT and the --*-url flags. */
async function locate(root: string, flags: VerifyFlags, io: VerifyIo) {
  let rootUrl: string;
  let rootDir: string | undefined;
  if (HTTP_URL.test(root) || root.startsWith("file:")) {
    rootUrl = root.replace(/\/+$/, "");
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(root)) {
    throw new UsageError(`ROOT must be an http(s):// or file:// URL or a directory, got ${root}`);
  } else {
    rootDir = resolve(io.cwd, root);
    if (!(await isDirectory(rootDir))) {
      throw new UsageError(`ROOT ${root} is neither an http(s):// URL nor a directory`);
    }
    rootUrl = pathToFileURL(rootDir).href.replace(/\/+$/, "");
  }
  let agentsUrl =
    flags.agentsUrl === undefined ? `${rootUrl}/juju/tools` : toUrl(flags.agentsUrl, io.cwd);
  // `bundle export --metadata-source DIR` writes DIR/tools and DIR/images, what
  // `juju bootstrap --metadata-source DIR` reads.
  if (
    flags.agentsUrl === undefined &&
    rootDir !== undefined &&
    !(await isDirectory(resolve(rootDir, "juju/tools"))) &&
    (await isDirectory(resolve(rootDir, "tools/streams")))
  ) {
    agentsUrl = `${rootUrl}/tools`;
    io.stderr(
      `${root} is laid out for juju bootstrap --metadata-source: agents at ${root}/tools\n`,
    );
  }
  const imagesUrl =
    flags.imagesUrl === undefined ? `${rootUrl}/images` : toUrl(flags.imagesUrl, io.cwd);
  return { agentsUrl, imagesUrl };
}

/**
 * `streamgate verify ROOT`: replays Juju's agent and image lookups against a served
 * mirror or a directory, prints what Juju gets and every problem (stderr; `--json`: one
 * document on stdout), and exits 1 when there is any problem.
 */
export async function runVerify(
  root: string,
  flags: VerifyFlags,
  io: VerifyIo = processIo,
): Promise<VerifyReport> {
  checkFlags(flags);
  const { agentsUrl, imagesUrl } = await locate(root, flags, io);
  const agentKeys =
    flags.agentKey === undefined ? undefined : await readKey(flags.agentKey, "--agent-key", io.cwd);
  const imageKeys =
    flags.imageKey === undefined ? undefined : await readKey(flags.imageKey, "--image-key", io.cwd);
  const options: VerifyMirrorOptions = {
    agentsUrl,
    imagesUrl,
    requireAgents: flags.agentsUrl !== undefined || flags.jujuVersion !== undefined,
    requireImages:
      flags.imagesUrl !== undefined || flags.region !== undefined || flags.base !== undefined,
    ...(agentKeys === undefined
      ? {}
      : { agentKeys, agentKeyLabel: `--agent-key ${flags.agentKey}` }),
    ...(imageKeys === undefined
      ? { imageKeyLabel: "image key (--image-key, Juju's JUJU_STREAMS_PUBLICKEY_FILE)" }
      : { imageKeys, imageKeyLabel: `--image-key ${flags.imageKey}` }),
    ...(flags.jujuVersion === undefined ? {} : { jujuVersion: flags.jujuVersion }),
    ...(flags.arch === undefined ? {} : { arch: flags.arch }),
    ...(flags.agentStream === undefined ? {} : { agentStream: flags.agentStream }),
    ...(flags.region === undefined || flags.endpoint === undefined
      ? {}
      : { cloud: { region: flags.region, endpoint: flags.endpoint } }),
    ...(flags.base === undefined ? {} : { base: flags.base }),
    checkTarballs: flags.tarballs !== false,
    fetch: createFileAwareFetch(),
    newHash: createNodeSha256,
    ...(io.isTty
      ? {
          onTarball: ({ done, total }: { done: number; total: number }) =>
            io.stderr(`\rchecking tarballs: ${done}/${total}${done === total ? "\n" : ""}`),
        }
      : {}),
  };
  const report = await verifyMirror(options);
  io.stderr(formatVerifyReport(report));
  if (flags.json === true) io.stdout(`${JSON.stringify({ root, ...report }, null, 2)}\n`);
  if (!report.ok) throw new VerifyFailedError(report.problems.length);
  return report;
}
