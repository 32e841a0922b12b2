import { env } from "cloudflare:test";
import { createR2Store } from "../../src/store/r2.ts";
import { runStoreContract } from "../../src/store/store-contract.ts";
import { emptyBucket } from "./empty-bucket.ts";

runStoreContract({
  name: "r2 (workerd)",
  createStore: async () => {
    await emptyBucket();
    return createR2Store({ bucket: env.MIRROR });
  },
  destroyStore: emptyBucket,
});
