/**
 * @module
 * The one configuration schema shared by the CLI, the Node server and the Worker.
 * Node-only loading (files, environment) lives in `load-config.ts`.
 */
export { ConfigError } from "./config-error.ts";
export { parseConfig } from "./parse-config.ts";
export type { AgentsJobConfig, Config, ImagesJobConfig } from "./schema.ts";
export { configSchema } from "./schema.ts";
