import { describe, expect, it } from "vitest";
import { renderJson } from "../core/index.ts";
import { clearsign } from "../signing/index.ts";
import { generateTestKey } from "../signing/test-support.ts";
import { createMemoryStore } from "../store/memory.ts";
import { readServedTree, servedPaths } from "./served-tree.ts";
import { agentProducts, indexOf } from "./test-support.ts";

describe("readServedTree", () => {
  it("follows every index present, signed or not, to the product files and the tarballs they name", async () => {
    const store = createMemoryStore();
    const released = await agentProducts("com.ubuntu.juju:released:agents", [
      { version: "3.6.12" },
    ]);
    const devel = await agentProducts("com.ubuntu.juju:devel:agents", [{ version: "3.7-beta1" }]);
    const key = await generateTestKey();
    await store.put(
      "juju/tools/streams/v1/index2.sjson",
      await clearsign(renderJson(indexOf([released, devel])), key.privateKey),
    );
    await store.put(
      "juju/tools/streams/v1/com.ubuntu.juju-released-agents.sjson",
      await clearsign(renderJson(released), key.privateKey),
    );
    await store.put("juju/tools/streams/v1/index.json", renderJson(indexOf([released], ".json")));
    await store.put(
      "juju/tools/streams/v1/com.ubuntu.juju-released-agents.json",
      renderJson(released),
    );

    const tree = await readServedTree(store);
    expect(tree.problems).toEqual([]);
    expect([...tree.namedProducts].sort()).toEqual([
      "streams/v1/com.ubuntu.juju-devel-agents.sjson",
      "streams/v1/com.ubuntu.juju-released-agents.json",
      "streams/v1/com.ubuntu.juju-released-agents.sjson",
    ]);
    expect([...servedPaths(tree)].sort()).toEqual([
      "agent/3.6.12/juju-3.6.12-linux-amd64.tgz",
      "streams/v1/com.ubuntu.juju-released-agents.json",
      "streams/v1/com.ubuntu.juju-released-agents.sjson",
      "streams/v1/index.json",
      "streams/v1/index2.sjson",
    ]);
  });

  it("reports a file it cannot parse, so that nothing is garbage-collected on a guess", async () => {
    const store = createMemoryStore();
    await store.put("juju/tools/streams/v1/index2.json", "<html>oops</html>");
    const tree = await readServedTree(store);
    expect(tree.problems).toHaveLength(1);
    expect(tree.problems[0]).toContain("streams/v1/index2.json");
  });
});
