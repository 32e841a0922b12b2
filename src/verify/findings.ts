/** Which metadata tree a finding is about. */
export type VerifyArea = "agents" | "images";

/** Something that makes Juju fail, or ignore part of the mirror. `streamgate verify` exits 1. */
export interface VerifyProblem {
  area: VerifyArea;
  /** The file it is about, relative to its metadata base (`streams/v1/index2.sjson`). */
  file: string;
  /** The file's full URL. */
  url: string;
  /** What is wrong. */
  message: string;
  /** What Juju does about it. */
  juju: string;
}

/** Worth knowing, not wrong: a stream an exact mirror does not carry, a key not given. */
export interface VerifyNote {
  area: VerifyArea;
  file: string | undefined;
  message: string;
}

/** Where a verify run collects what it finds; each distinct problem is kept once. */
export interface Findings {
  readonly problems: VerifyProblem[];
  readonly notes: VerifyNote[];
  problem(problem: VerifyProblem): void;
  note(area: VerifyArea, file: string | undefined, message: string): void;
}

export function createFindings(): Findings {
  const problems: VerifyProblem[] = [];
  const notes: VerifyNote[] = [];
  const seen = new Set<string>();
  return {
    problems,
    notes,
    problem(problem) {
      const key = `${problem.area}\n${problem.url}\n${problem.message}`;
      if (seen.has(key)) return;
      seen.add(key);
      problems.push(problem);
    },
    note(area, file, message) {
      const key = `note\n${area}\n${file}\n${message}`;
      if (seen.has(key)) return;
      seen.add(key);
      notes.push({ area, file, message });
    },
  };
}

/** The role a file plays in Juju's lookup, which decides what a defect in it costs. */
export type FileRole = "signed-index" | "index" | "mirrors" | "signed-product" | "product";

/**
 * What Juju does when it cannot read a file of this role (juju/juju
 * environs/simplestreams: GetMetadata, getMaybeSignedMetadata, GetIndexWithFormat).
 */
export function jujuConsequence(role: FileRole): string {
  switch (role) {
    case "signed-index":
      return 'Juju cannot read the signed index ("cannot read index data") and ignores the signed metadata: agent-metadata-url, image-metadata-url and --metadata-source sources fall back to the unsigned index; a source that requires signatures fails';
    case "index":
      return 'Juju cannot read index data from this source ("cannot read index data") and moves on to its next source; with none left, bootstrap fails';
    case "mirrors":
      return 'Juju fails to load the index next to it ("cannot load mirror metadata at URL …"), as if that index were broken';
    case "signed-product":
      return 'Juju cannot read the signed product data ("cannot read product data"), ignores the signed metadata and falls back to the unsigned index; a source that requires signatures fails';
    case "product":
      return 'Juju cannot read the product data of this stream ("cannot read product data") and the lookup fails';
  }
}
