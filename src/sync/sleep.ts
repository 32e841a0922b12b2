/** The abortable sleep the upstream reader backs off with; sync code waits the same way. */
export { type Sleep, sleep } from "../upstream/index.ts";
