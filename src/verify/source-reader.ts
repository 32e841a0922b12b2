import { type Index, parseIndex, parseJsonDocument } from "../core/index.ts";
import {
  type VerificationKeys,
  type VerifiedClearsigned,
  verifyClearsigned,
} from "../signing/index.ts";
import { fetchMetadataCached, type MetadataAnswer, type MetadataCache } from "./metadata-answer.ts";

/** One request a lookup made and the status it got (0: no answer). */
export interface LookupRequest {
  path: string;
  status: number;
}

/** Juju's index file names, in the order it asks for them (simplestreams.go). */
export const INDEX_PATHS = {
  signed: ["streams/v1/index2.sjson", "streams/v1/index.sjson"],
  unsigned: ["streams/v1/index2.json", "streams/v1/index.json"],
} as const;

/** Requested next to every index Juju loads. */
export function mirrorsPath(signed: boolean): string {
  return `streams/v1/mirrors.${signed ? "sjson" : "json"}`;
}

/**
 * A failed read, sorted the way Juju sorts it: `missing` is its NotFound (404, 401, an
 * index without the wanted data), after which it tries the next file or source;
 * `broken` is any other error, which fails the load.
 */
export class SourceError extends Error {
  readonly kind: "missing" | "broken";
  /** The file the read failed on, relative to the base. */
  readonly path: string;

  constructor(kind: "missing" | "broken", path: string, message: string) {
    super(message);
    this.name = "SourceError";
    this.kind = kind;
    this.path = path;
  }
}

export interface LoadedIndex {
  path: string;
  signed: boolean;
  index: Index;
}

export interface SourceReaderOptions {
  /** The metadata base: `agent-metadata-url`, `image-metadata-url`, `file:///…/tools`. */
  baseUrl: string;
  fetch?: typeof fetch;
  /**
   * Keys signed files must verify with. `undefined`: Juju has no key for this source
   * (an `image-metadata-url` without `JUJU_STREAMS_PUBLICKEY_FILE`), so every signed
   * file fails to read.
   */
  keys: VerificationKeys | undefined;
  /** Shared answers, so several readers of one run fetch each file once. */
  cache?: MetadataCache;
}

export interface SourceReader {
  readonly baseUrl: string;
  /** Every file read, in order (a cached answer counts: Juju would have asked again). */
  readonly requests: LookupRequest[];
  get(path: string): Promise<MetadataAnswer>;
  /** Juju's fetchData + decode: the verified (or plain) text of a file, parsed. */
  read<T>(
    path: string,
    signed: boolean,
    parse: (value: unknown) => T,
  ): Promise<{ value: T; signer: VerifiedClearsigned | undefined }>;
  /** Juju's index load: `index2`, then on not-found the legacy `index`, then `mirrors`. */
  loadIndex(signed: boolean): Promise<LoadedIndex>;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Why an answer is not a file Juju can read, for messages. */
export function describeAnswer(answer: MetadataAnswer): string {
  if (answer.kind === "missing") return `answered HTTP ${answer.status} (not found)`;
  return answer.detail ?? `answered HTTP ${answer.status}`;
}

export function createSourceReader(options: SourceReaderOptions): SourceReader {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  // Called unbound: Workers' global fetch throws "Illegal invocation" on another `this`.
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const cache: MetadataCache = options.cache ?? new Map();
  const requests: LookupRequest[] = [];

  async function get(path: string): Promise<MetadataAnswer> {
    const answer = await fetchMetadataCached(fetchImpl, cache, baseUrl, path);
    requests.push({ path, status: answer.status });
    return answer;
  }

  async function decode(path: string, signed: boolean, bytes: Uint8Array) {
    if (!signed) {
      try {
        return { text: utf8.decode(bytes), signer: undefined };
      } catch {
        throw new SourceError("broken", path, `${path} is not UTF-8 text`);
      }
    }
    if (options.keys === undefined) {
      throw new SourceError(
        "broken",
        path,
        `${path} is signed but no key was given to check it with; Juju without the key cannot read it`,
      );
    }
    try {
      const signer = await verifyClearsigned(bytes, options.keys);
      return { text: signer.text, signer };
    } catch (error) {
      const reason = (error as Error).message.replace(/^\[streamgate\] \[signing\] /, "");
      throw new SourceError("broken", path, `${path}: signature check failed: ${reason}`);
    }
  }

  async function read<T>(path: string, signed: boolean, parse: (value: unknown) => T) {
    return parseAnswer(await get(path), signed, parse);
  }

  async function parseAnswer<T>(
    answer: MetadataAnswer,
    signed: boolean,
    parse: (value: unknown) => T,
  ): Promise<{ value: T; signer: VerifiedClearsigned | undefined }> {
    const { path } = answer;
    if (answer.kind !== "ok") {
      throw new SourceError(
        answer.kind === "missing" ? "missing" : "broken",
        path,
        `${path} ${describeAnswer(answer)}`,
      );
    }
    const { text, signer } = await decode(path, signed, answer.bytes);
    try {
      return { value: parse(parseJsonDocument(text)), signer };
    } catch (error) {
      const reason = (error as Error).message.replace(/^\[streamgate\] \[core\] /, "");
      throw new SourceError("broken", path, `${path} is not valid: ${reason}`);
    }
  }

  async function checkMirrors(signed: boolean): Promise<void> {
    const path = mirrorsPath(signed);
    const answer = await get(path);
    if (answer.kind === "missing") return;
    // Juju decodes mirrors into a struct; any JSON object with the right types will do.
    await parseAnswer(answer, signed, (value) => {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new Error("expected a JSON object");
      }
      return value;
    }).catch((error: unknown) => {
      const reason = error instanceof SourceError ? error.message : String(error);
      throw new SourceError(
        "broken",
        path,
        `${reason.startsWith(path) ? reason : `${path}: ${reason}`}; Juju cannot load the index next to it ("cannot load mirror metadata")`,
      );
    });
  }

  async function loadIndex(signed: boolean): Promise<LoadedIndex> {
    const [current, legacy] = signed ? INDEX_PATHS.signed : INDEX_PATHS.unsigned;
    let answer = await get(current);
    if (answer.kind === "missing") answer = await get(legacy);
    if (answer.kind === "missing") {
      throw new SourceError("missing", answer.path, `neither ${current} nor ${legacy} is served`);
    }
    const { value: index } = await parseAnswer(answer, signed, parseIndex);
    await checkMirrors(signed);
    return { path: answer.path, signed, index };
  }

  return { baseUrl, requests, get, read, loadIndex };
}
