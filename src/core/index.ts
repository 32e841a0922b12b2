/**
 * @module core
 * The pure simplestreams model: wire types, strict parsing with JSON-path errors,
 * Juju's `_aliases` and inheritance flattening, Juju version ordering, agent filters,
 * Python-compatible rendering and small builders. No I/O and no `node:` imports: it runs
 * unchanged in Workers.
 */

export {
  type AgentContentId,
  agentContentId,
  agentProductId,
  parseAgentContentId,
} from "./agent-content-id.ts";
export {
  type AgentFilter,
  type AgentItem,
  type AgentSelection,
  type InvalidAgentItem,
  selectAgentItems,
} from "./agent-filter.ts";
export {
  type BuildProductsOptions,
  buildIndex,
  buildProducts,
  formatUpdated,
  nestItems,
} from "./build.ts";
export { concatBytes } from "./concat-bytes.ts";
export { type FlatItem, flattenProducts } from "./flatten.ts";
export {
  compareJujuVersions,
  formatJujuVersion,
  type JujuVersion,
  JujuVersionError,
  majorMinor,
  parseJujuVersion,
  parseMajorMinor,
  tryParseJujuVersion,
} from "./juju-version.ts";
export { type JsonPosition, ParseError, type ParseErrorOptions } from "./parse-error.ts";
export { parseIndex } from "./parse-index.ts";
export { parseJsonDocument } from "./parse-json.ts";
export { parseProducts } from "./parse-products.ts";
export { assertRelativePath, checkRelativePath, UnsafePathError } from "./relative-path.ts";
export { renderIndex, renderJson, renderProducts } from "./render.ts";
export {
  AGENT_DATATYPE,
  type Aliases,
  type CloudSpec,
  IMAGE_DATATYPE,
  INDEX_FORMAT,
  type Index,
  type IndexEntry,
  type Item,
  PRODUCTS_FORMAT,
  type Product,
  type Products,
  type Version,
} from "./types.ts";
