import type { VerificationKeys } from "../signing/index.ts";
import type { UpstreamTransport } from "./transport.ts";

/** What every upstream read accepts. */
export interface UpstreamRequestOptions {
  /**
   * How to reach the upstream. Default: `createHttpTransport()` with its defaults, which
   * reads http:// and https:// only; pass `createFileTransport()` (Node) for `file://`.
   */
  transport?: UpstreamTransport;
  /** Aborts the read; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Options of reads that verify signatures. */
export interface UpstreamVerifyOptions extends UpstreamRequestOptions {
  /**
   * Armored public key(s) signed metadata must verify against. Default:
   * `JUJU_TOOLS_PUBLIC_KEY` — the only key Juju itself trusts for agents.
   */
  keys?: VerificationKeys;
  /**
   * Accept unsigned `.json` metadata when no signed file exists (filtered mode only,
   * `--allow-unsigned-upstream`). A `.sjson` that fails verification is refused even then:
   * a broken signature is never downgraded to "unsigned".
   */
  allowUnsigned?: boolean;
}
