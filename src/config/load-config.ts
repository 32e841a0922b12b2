import { readFile } from "node:fs/promises";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { ConfigError } from "./config-error.ts";
import { parseConfig } from "./parse-config.ts";
import type { Config } from "./schema.ts";

export const DEFAULT_CONFIG_FILE = "streamgate.yaml";

export interface LoadConfigOptions {
  /** `--config FILE`; wins over the environment. */
  file?: string;
  /** `--store URL`; wins over the file and `STREAMGATE_STORE`. */
  store?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface LoadedConfig {
  config: Config;
  /** Where the document came from, for messages: a path, `STREAMGATE_CONFIG` or `defaults`. */
  source: string;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function parseDocument(text: string, source: string): unknown {
  try {
    return parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    if (error instanceof YAMLParseError) throw new ConfigError(source, [error.message]);
    throw error;
  }
}

async function readDocument(options: LoadConfigOptions, env: NodeJS.ProcessEnv, cwd: string) {
  if (options.file !== undefined) {
    const text = await readOptional(options.file);
    if (text === undefined) throw new ConfigError(options.file, ["file not found"]);
    return { document: parseDocument(text, options.file), source: options.file };
  }
  const fromEnv = env.STREAMGATE_CONFIG;
  if (fromEnv !== undefined && fromEnv.trim() !== "") {
    // Workers take the document itself; on Node it may be that, or a path to the file.
    if (fromEnv.trimStart().startsWith("{")) {
      return { document: parseDocument(fromEnv, "STREAMGATE_CONFIG"), source: "STREAMGATE_CONFIG" };
    }
    const text = await readOptional(fromEnv);
    if (text === undefined)
      throw new ConfigError(`STREAMGATE_CONFIG=${fromEnv}`, ["file not found"]);
    return { document: parseDocument(text, fromEnv), source: fromEnv };
  }
  const defaultPath = `${cwd}/${DEFAULT_CONFIG_FILE}`;
  const text = await readOptional(defaultPath);
  if (text === undefined) return { document: {}, source: "defaults" };
  return { document: parseDocument(text, DEFAULT_CONFIG_FILE), source: DEFAULT_CONFIG_FILE };
}

/**
 * Loads the Node configuration: `--config FILE`, else `STREAMGATE_CONFIG` (JSON or a path),
 * else `./streamgate.yaml`, else defaults; then `STREAMGATE_STORE` and `--store` override
 * the store. Secrets never come from here: they are read from the environment where used.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const { document, source } = await readDocument(options, env, cwd);
  const config = parseConfig(document, source);
  const store = options.store ?? env.STREAMGATE_STORE;
  return { config: store === undefined || store === "" ? config : { ...config, store }, source };
}
