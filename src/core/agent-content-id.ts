/**
 * Agent content ids and product ids (juju-contract §5): `com.ubuntu.juju:<stream>:agents`
 * for Juju 2.9+, `com.ubuntu.juju:<stream>:tools` for the legacy tools of Juju ≤ 2.8.
 */

export interface AgentContentId {
  stream: string;
  /** `:tools`: product ids name a series version (`…:20.04:amd64`), items a series. */
  legacy: boolean;
}

const AGENT_CONTENT_ID = /^com\.ubuntu\.juju:([^:]+):(agents|tools)$/;

/** The stream of an agent content id, or `undefined` for any other content id. */
export function parseAgentContentId(contentId: string): AgentContentId | undefined {
  const match = AGENT_CONTENT_ID.exec(contentId);
  if (match === null) return undefined;
  return { stream: match[1] as string, legacy: match[2] === "tools" };
}

export function agentContentId(stream: string, legacy = false): string {
  return `com.ubuntu.juju:${stream}:${legacy ? "tools" : "agents"}`;
}

/** `com.ubuntu.juju:ubuntu:amd64` (or `com.ubuntu.juju:20.04:amd64` for legacy tools). */
export function agentProductId(release: string, arch: string): string {
  return `com.ubuntu.juju:${release}:${arch}`;
}
