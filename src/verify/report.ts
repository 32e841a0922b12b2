import type { IndexFileReport, ProductFileReport } from "./check-source.ts";
import type { VerifyNote, VerifyProblem } from "./findings.ts";
import type { AnswerKind } from "./metadata-answer.ts";

/** What one metadata tree serves, as Juju reads it. */
export interface TreeReport {
  baseUrl: string;
  /** At least one index file is served. */
  served: boolean;
  indexes: IndexFileReport[];
  mirrors: { path: string; status: number; answer: AnswerKind }[];
  productFiles: ProductFileReport[];
}

export interface TarballSummary {
  /** Tarballs named by the readable product files. */
  named: number;
  checked: number;
  failed: number;
  /** Bytes of the tarballs that checked out. */
  bytes: number;
  /** `--no-tarballs`. */
  skipped: boolean;
}

/** One replayed agent lookup and what Juju gets. */
export interface AgentPick {
  jujuVersion: string;
  arch: string;
  os: string;
  /** The stream asked for (`undefined`: Juju's default), or for a pick, the stream it came from. */
  stream: string | undefined;
  outcome: "found" | "not-found" | "broken";
  version?: string;
  /** The index and product file it came from. */
  index?: string;
  product?: string;
  tarball?: string;
  /** Whether the tarball checked out; `undefined` with `--no-tarballs`. */
  tarballOk?: boolean | undefined;
  reason?: string;
}

/** One replayed image lookup and what Juju gets. */
export interface ImagePick {
  region: string;
  endpoint: string;
  /** `ubuntu@24.04`. */
  base: string;
  version: string;
  arch: string;
  stream: string;
  outcome: "found" | "not-found" | "broken";
  id?: string;
  index?: string;
  product?: string;
  versionKey?: string;
  reason?: string;
}

export interface AgentsReport extends TreeReport {
  tarballs: TarballSummary;
  lookups: AgentPick[];
}

export interface ImagesReport extends TreeReport {
  lookups: ImagePick[];
}

/** The result of `streamgate verify` (also its `--json` document). */
export interface VerifyReport {
  /** No problem found: Juju can use this mirror as checked. */
  ok: boolean;
  agents: AgentsReport | undefined;
  images: ImagesReport | undefined;
  problems: VerifyProblem[];
  notes: VerifyNote[];
}
