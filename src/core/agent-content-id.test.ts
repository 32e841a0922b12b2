import { describe, expect, it } from "vitest";
import { agentContentId, agentProductId, parseAgentContentId } from "./agent-content-id.ts";

describe("agent content ids", () => {
  it("parses agent and legacy tools content ids", () => {
    expect(parseAgentContentId("com.ubuntu.juju:released:agents")).toEqual({
      stream: "released",
      legacy: false,
    });
    expect(parseAgentContentId("com.ubuntu.juju:devel:tools")).toEqual({
      stream: "devel",
      legacy: true,
    });
  });

  it.each([
    "com.ubuntu.cloud:released:aws",
    "com.ubuntu.juju:released",
    "com.ubuntu.juju::agents",
    "xcom.ubuntu.juju:a:agents",
  ])("does not take %j for an agent content id", (contentId) => {
    expect(parseAgentContentId(contentId)).toBeUndefined();
  });

  it("builds content ids and product ids", () => {
    expect(agentContentId("proposed")).toBe("com.ubuntu.juju:proposed:agents");
    expect(agentContentId("released", true)).toBe("com.ubuntu.juju:released:tools");
    expect(agentProductId("ubuntu", "arm64")).toBe("com.ubuntu.juju:ubuntu:arm64");
  });
});
