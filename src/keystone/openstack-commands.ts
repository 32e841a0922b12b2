import type { EndpointAction, EndpointsPlan } from "./plan-endpoints.ts";

const SAFE = /^[\w@%+=:,./-]+$/;

function quote(word: string): string {
  return SAFE.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function command(words: string[]): string {
  return words.map(quote).join(" ");
}

function render(action: EndpointAction): string | undefined {
  switch (action.action) {
    case "create-service":
      return command([
        "openstack",
        "service",
        "create",
        "--name",
        action.name,
        "--description",
        action.description,
        action.type,
      ]);
    case "create-endpoint":
      return command([
        "openstack",
        "endpoint",
        "create",
        "--region",
        action.region,
        action.serviceId ?? action.type,
        action.interface,
        action.url,
      ]);
    case "update-endpoint": {
      const set = command(["openstack", "endpoint", "set", "--url", action.url]);
      if (action.id !== "") return `${set} ${quote(action.id)}`;
      // Read from the catalog, the id is unknown: let the CLI look it up.
      const list = command([
        "openstack",
        "endpoint",
        "list",
        "--service",
        action.type,
        "--interface",
        action.interface,
        "--region",
        action.region,
        "-f",
        "value",
        "-c",
        "ID",
      ]);
      return `${set} "$(${list})"`;
    }
    case "keep-endpoint":
      return undefined;
  }
}

/** The plan as `openstack` CLI commands an operator can run, one per change, in order. */
export function renderOpenStackCommands(plan: EndpointsPlan): string[] {
  return plan.actions.flatMap((action) => {
    const line = render(action);
    return line === undefined ? [] : [line];
  });
}
