// The Node and V8 settings every streamgate process runs under; bin/streamgate.js applies
// them, and tests that measure a child process's memory start it with the same ones.

// A sync streams every tarball through 64 KiB buffers, and V8 frees dead ones only when it
// collects. With the default young generation (up to 16 MiB per semi-space) they pile up
// to ~60 MB first; 1 MiB collects every few MB. Measured on a 1 GiB sync: peak RSS ~120 MB
// instead of ~170 MB, no slower. The price is paid where allocation is heavy: parsing 50,000
// Glance images (23 MB of JSON) for `sync images` took ~0.6 s instead of ~0.4 s, and the
// 2.5 MB product file ~9 instead of ~7.5 ms. An operator's own setting wins.
const YOUNG_GENERATION = "--max-semi-space-size=1";
// When the bin runs the sources (dist/ stale or absent), type stripping runs a WebAssembly
// build of swc; V8's optimising tier would compile it a second time, ~20 MB of resident
// memory for nothing on a one-pass strip. Other WebAssembly (fetch's HTTP parser, used for
// small OpenStack answers) measured no slower on the baseline tier.
const BASELINE_WASM = "--liftoff-only";
// Node ≥ 22.18 strips types by default; 22.12–22.17 needs the flag.
const STRIP_TYPES = ["--experimental-strip-types", "--disable-warning=ExperimentalWarning"];

/**
 * The flags a process started with `execArgv` (and `NODE_OPTIONS`) should run under.
 * @param {readonly string[]} execArgv
 * @param {string | undefined} nodeOptions
 * @returns {string[]}
 */
export function nodeFlags(execArgv = process.execArgv, nodeOptions = process.env.NODE_OPTIONS) {
  const given = [...execArgv, ...(nodeOptions ?? "").split(/\s+/)];
  return [
    ...(given.some((flag) => flag.startsWith("--max-semi-space-size")) ? [] : [YOUNG_GENERATION]),
    BASELINE_WASM,
    ...(process.features.typescript ? [] : STRIP_TYPES),
  ];
}
