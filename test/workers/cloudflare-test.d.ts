// The parts of the Workers Vitest integration's `cloudflare:test` module these tests use,
// typed with the exportable Workers types so the project keeps one type environment
// (its own declarations need the global Workers types, which clash with Node's and DOM's).
declare module "cloudflare:test" {
  import type { ExecutionContext, ScheduledController } from "@cloudflare/workers-types";
  import type { Env } from "../../src/worker.ts";

  export const env: Env & { STREAMGATE_ADMIN_TOKEN: string };
  export const SELF: { fetch(input: string | Request, init?: RequestInit): Promise<Response> };
  export function createExecutionContext(): ExecutionContext;
  export function waitOnExecutionContext(ctx: ExecutionContext): Promise<void>;
  export function createScheduledController(options?: {
    scheduledTime?: Date | number;
    cron?: string;
  }): ScheduledController;
}
