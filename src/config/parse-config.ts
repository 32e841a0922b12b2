import type { z } from "zod";
import { ConfigError } from "./config-error.ts";
import { type Config, configSchema } from "./schema.ts";

function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "(top level)" : path.map(String).join(".");
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    const where = issue.path.length === 0 ? "" : `${formatPath(issue.path)}.`;
    return issue.keys.map((key) => `${where}${key}: unknown key`).join("\n");
  }
  return `${formatPath(issue.path)}: ${issue.message}`;
}

/**
 * Validates a configuration document from any entry point (YAML file, `STREAMGATE_CONFIG`
 * JSON, Worker var) and fills in defaults. Throws one `ConfigError` naming every bad key.
 */
export function parseConfig(document: unknown, source: string): Config {
  const result = configSchema.safeParse(document ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) => describeIssue(issue).split("\n"));
  throw new ConfigError(source, problems);
}
