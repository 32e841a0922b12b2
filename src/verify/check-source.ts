import {
  AGENT_DATATYPE,
  type FlatItem,
  flattenProducts,
  IMAGE_DATATYPE,
  type Index,
  type IndexEntry,
  type Products,
  parseIndex,
  parseJsonDocument,
  parseProducts,
} from "../core/index.ts";
import {
  NotSignedError,
  parseClearsigned,
  type VerificationKeys,
  verifyClearsigned,
} from "../signing/index.ts";
import { checkAgentItem, checkImageItem } from "./check-items.ts";
import { type FileRole, type Findings, jujuConsequence, type VerifyArea } from "./findings.ts";
import {
  type AnswerKind,
  fetchMetadataCached,
  joinMetadataUrl,
  type MetadataAnswer,
  type MetadataCache,
} from "./metadata-answer.ts";
import { describeAnswer, INDEX_PATHS, mirrorsPath } from "./source-reader.ts";
import type { TarballClaim } from "./tarball-check.ts";

export interface CheckSourceOptions {
  area: VerifyArea;
  /** The metadata base: `…/juju/tools`, `…/images`, `file:///…/tools`. */
  baseUrl: string;
  /** What Juju would verify signed files with; `undefined`: no key (they are read unchecked). */
  keys: VerificationKeys | undefined;
  /** The key, for messages: `Juju's built-in agent key (…)`, `--image-key ops.asc`. */
  keyLabel: string;
  fetch: typeof fetch;
  cache: MetadataCache;
  findings: Findings;
}

/** One of the four index files and how it answered. */
export interface IndexFileReport {
  path: string;
  status: number;
  answer: AnswerKind;
  signed: boolean;
  /** Fingerprint of the key that signed it, when it verified. */
  signer: string | undefined;
  /** Index entries, when it could be read. */
  entries: number | undefined;
}

export interface ProductFileReport {
  path: string;
  signed: boolean;
  status: number;
  answer: AnswerKind;
  /** Content ids of the index entries naming it. */
  contentIds: string[];
  /** Items, when it could be read. */
  items: number | undefined;
}

/** An index entry of a readable index, with where it was found. */
export interface InventoryEntry {
  indexPath: string;
  signed: boolean;
  contentId: string;
  entry: IndexEntry;
}

/** An item of a readable product file, resolved the way Juju resolves it. */
export interface InventoryItem {
  productPath: string;
  signed: boolean;
  item: FlatItem;
}

/** A tarball items claim, and the product files claiming it. */
export interface ClaimedTarball extends TarballClaim {
  namedBy: string[];
}

/** Everything one metadata tree serves, as far as Juju would read it. */
export interface SourceInventory {
  area: VerifyArea;
  baseUrl: string;
  /** At least one index file is served. */
  served: boolean;
  indexes: IndexFileReport[];
  mirrors: { path: string; status: number; answer: AnswerKind }[];
  productFiles: ProductFileReport[];
  entries: InventoryEntry[];
  items: InventoryItem[];
  /** Agents only: every tarball named by a readable product file. */
  tarballs: ClaimedTarball[];
}

const DATATYPE: Record<VerifyArea, string> = {
  agents: AGENT_DATATYPE,
  images: IMAGE_DATATYPE,
};

interface Decoded {
  text: string;
  signer: string | undefined;
}

function stripOrigin(message: string): string {
  return message.replace(/^\[streamgate\] \[[a-z]+\] /, "");
}

/**
 * Reads a metadata tree the way Juju could: all four index files, the mirrors file next
 * to each kind of index served, and every product file a served index names, each
 * checked strictly (signatures with the key Juju would use, Go's types, relative paths,
 * the fields Juju needs on every item). Reports each defect with the file it is in and
 * what Juju does about it, and returns what the tree serves for the lookups and the
 * tarball check.
 */
export async function checkSource(options: CheckSourceOptions): Promise<SourceInventory> {
  const { area, baseUrl, findings } = options;
  const inventory: SourceInventory = {
    area,
    baseUrl,
    served: false,
    indexes: [],
    mirrors: [],
    productFiles: [],
    entries: [],
    items: [],
    tarballs: [],
  };

  const get = (path: string) => fetchMetadataCached(options.fetch, options.cache, baseUrl, path);
  const problem = (path: string, message: string, juju: string) =>
    findings.problem({ area, file: path, url: joinMetadataUrl(baseUrl, path), message, juju });

  /** The text of a served file, or `undefined` after reporting why Juju cannot read it. */
  async function decode(
    answer: MetadataAnswer,
    signed: boolean,
    role: FileRole,
  ): Promise<Decoded | undefined> {
    const { path } = answer;
    if (answer.kind !== "ok") {
      problem(path, describeAnswer(answer), jujuConsequence(role));
      return undefined;
    }
    if (!signed) {
      const text = new TextDecoder().decode(answer.bytes);
      if (text.startsWith("-----BEGIN PGP SIGNED MESSAGE-----")) {
        problem(
          path,
          "is an unsigned .json name serving a clearsigned document",
          `Juju reads .json files as plain JSON and cannot parse it; ${jujuConsequence(role)}`,
        );
        return undefined;
      }
      return { text, signer: undefined };
    }
    if (options.keys === undefined) {
      try {
        const { text } = parseClearsigned(new TextDecoder().decode(answer.bytes));
        findings.note(
          area,
          path,
          `signature not checked: no ${options.keyLabel} given; without that key Juju cannot read this file and uses the unsigned .json twin`,
        );
        return { text, signer: undefined };
      } catch (error) {
        problem(
          path,
          `is not a signed document: ${stripOrigin((error as Error).message)}`,
          jujuConsequence(role),
        );
        return undefined;
      }
    }
    try {
      const verified = await verifyClearsigned(answer.bytes, options.keys);
      return { text: verified.text, signer: verified.fingerprint };
    } catch (error) {
      const reason = stripOrigin((error as Error).message);
      problem(
        path,
        error instanceof NotSignedError
          ? `is not a signed document: ${reason}`
          : `does not verify with ${options.keyLabel}: ${reason}`,
        jujuConsequence(role),
      );
      return undefined;
    }
  }

  function parseWith<T>(
    path: string,
    text: string,
    parse: (value: unknown) => T,
    role: FileRole,
  ): T | undefined {
    try {
      return parse(parseJsonDocument(text));
    } catch (error) {
      problem(
        path,
        `is not valid: ${stripOrigin((error as Error).message)}`,
        `Juju decodes the whole file strictly and rejects it ("cannot unmarshal JSON"); ${jujuConsequence(role)}`,
      );
      return undefined;
    }
  }

  async function checkMirrors(signed: boolean): Promise<void> {
    const answer = await get(mirrorsPath(signed));
    inventory.mirrors.push({ path: answer.path, status: answer.status, answer: answer.kind });
    if (answer.kind === "missing") return;
    const decoded = await decode(answer, signed, "mirrors");
    if (decoded === undefined) return;
    const mirrors = parseWith(
      answer.path,
      decoded.text,
      (value) => {
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
          throw new Error("expected a JSON object");
        }
        return value;
      },
      "mirrors",
    );
    if (mirrors !== undefined) {
      findings.note(
        area,
        answer.path,
        "a mirrors file is served: Juju reads product files from the mirror it names for matching content; verify does not follow mirrors",
      );
    }
  }

  const products = new Map<string, { signed: boolean; entries: InventoryEntry[] }>();

  function queueEntries(indexPath: string, signed: boolean, index: Index): void {
    for (const [contentId, entry] of Object.entries(index.index)) {
      const recorded: InventoryEntry = { indexPath, signed, contentId, entry };
      if (entry.datatype !== DATATYPE[area]) {
        findings.note(
          area,
          indexPath,
          `entry ${contentId} has datatype ${JSON.stringify(entry.datatype)}; Juju's ${area} lookup ignores it`,
        );
        continue;
      }
      inventory.entries.push(recorded);
      if (signed && !entry.path.endsWith(".sjson")) {
        problem(
          indexPath,
          `is signed but names the unsigned product file ${entry.path} for ${contentId}`,
          'Juju reads the product files of a signed index as signed and fails on this one ("no PGP signature embedded in plain text data"); it then ignores the signed metadata and falls back to the unsigned index, or fails where signatures are required',
        );
        continue;
      }
      if (!signed && entry.path.endsWith(".sjson")) {
        problem(
          indexPath,
          `is unsigned but names the signed product file ${entry.path} for ${contentId}`,
          `Juju reads the product files of an unsigned index as plain JSON and cannot parse a signed one; ${jujuConsequence("product")}`,
        );
        continue;
      }
      const key = `${signed}\n${entry.path}`;
      const queued = products.get(key) ?? { signed, entries: [] };
      queued.entries.push(recorded);
      products.set(key, queued);
    }
  }

  for (const signed of [true, false]) {
    let served = false;
    for (const path of signed ? INDEX_PATHS.signed : INDEX_PATHS.unsigned) {
      const answer = await get(path);
      const report: IndexFileReport = {
        path,
        status: answer.status,
        answer: answer.kind,
        signed,
        signer: undefined,
        entries: undefined,
      };
      inventory.indexes.push(report);
      if (answer.kind === "missing") continue;
      inventory.served = true;
      served = true;
      const decoded = await decode(answer, signed, signed ? "signed-index" : "index");
      if (decoded === undefined) continue;
      report.signer = decoded.signer;
      const index = parseWith(path, decoded.text, parseIndex, signed ? "signed-index" : "index");
      if (index === undefined) continue;
      report.entries = Object.keys(index.index).length;
      queueEntries(path, signed, index);
    }
    if (served) await checkMirrors(signed);
  }

  const tarballs = new Map<string, ClaimedTarball>();
  for (const { signed, entries } of products.values()) {
    const [first] = entries;
    if (first === undefined) continue;
    const path = first.entry.path;
    const role: FileRole = signed ? "signed-product" : "product";
    const contentIds = [...new Set(entries.map((entry) => entry.contentId))];
    const answer = await get(path);
    const report: ProductFileReport = {
      path,
      signed,
      status: answer.status,
      answer: answer.kind,
      contentIds,
      items: undefined,
    };
    inventory.productFiles.push(report);
    if (answer.kind === "missing") {
      findings.note(
        area,
        path,
        `named for ${contentIds.join(", ")} but answers ${answer.status}: Juju skips that stream (fine for a stream an exact mirror does not carry)`,
      );
      continue;
    }
    const decoded = await decode(answer, signed, role);
    if (decoded === undefined) continue;
    const document: Products | undefined = parseWith(path, decoded.text, parseProducts, role);
    if (document === undefined) continue;
    const flat = flattenProducts(document);
    report.items = flat.length;
    for (const { indexPath, entry } of entries) {
      for (const productId of entry.products) {
        if (Object.hasOwn(document.products, productId)) continue;
        problem(
          path,
          `has no product ${productId}, which ${indexPath} says it holds`,
          'Juju finds no record for that product here ("index has no records for product ids") and treats it as not available',
        );
      }
    }
    for (const item of flat) {
      inventory.items.push({ productPath: path, signed, item });
      const check = area === "agents" ? checkAgentItem(item) : checkImageItem(item);
      for (const defect of check.problems) problem(path, defect.message, defect.juju);
      if (check.tarball === undefined) continue;
      const claimed = tarballs.get(check.tarball.path);
      if (claimed === undefined) {
        tarballs.set(check.tarball.path, { ...check.tarball, namedBy: [path] });
        continue;
      }
      if (!claimed.namedBy.includes(path)) claimed.namedBy.push(path);
      if (claimed.size !== check.tarball.size || claimed.sha256 !== check.tarball.sha256) {
        problem(
          path,
          `claims ${check.tarball.path} is ${check.tarball.size} bytes with sha256 ${check.tarball.sha256}, but ${claimed.namedBy[0]} claims ${claimed.size} bytes with sha256 ${claimed.sha256}`,
          "one of them is wrong: the controller and cloud-init reject a download whose size or sha256 differs from its item",
        );
      }
    }
  }
  inventory.tarballs = [...tarballs.values()];
  return inventory;
}
