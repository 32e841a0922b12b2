import { buildBenchObjects, writeBenchTree } from "./serve-tree.ts";

await writeBenchTree(process.argv[2]!, buildBenchObjects());
