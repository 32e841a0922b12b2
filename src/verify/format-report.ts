import type { IndexFileReport } from "./check-source.ts";
import type { AgentsReport, ImagesReport, TreeReport, VerifyReport } from "./report.ts";

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function fileName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function formatIndex(index: IndexFileReport): string {
  const name = fileName(index.path);
  if (index.answer === "missing") return `${name} ${index.status}`;
  if (index.answer !== "ok")
    return `${name} ${index.status === 0 ? "unreachable" : index.status} (${index.answer})`;
  const signer = index.signed
    ? index.signer === undefined
      ? ", signature not checked"
      : `, signed by ${index.signer.slice(-16)}`
    : "";
  return `${name} 200 (${index.entries ?? "?"} entries${signer})`;
}

function treeLines(title: string, tree: TreeReport): string[] {
  const lines = [`${title}  ${tree.baseUrl}`];
  if (!tree.served) {
    lines.push("  nothing served (every index file answers 404)");
    return lines;
  }
  lines.push(`  indexes: ${tree.indexes.map(formatIndex).join(" · ")}`);
  if (tree.mirrors.length > 0) {
    lines.push(
      `  mirrors: ${tree.mirrors.map((m) => `${fileName(m.path)} ${m.status}`).join(" · ")}`,
    );
  }
  const readable = tree.productFiles.filter((file) => file.items !== undefined);
  const items = readable.reduce((sum, file) => sum + (file.items ?? 0), 0);
  const absent = tree.productFiles.filter((file) => file.answer === "missing").length;
  lines.push(
    `  product files: ${readable.length} read, ${items} items${absent > 0 ? `, ${absent} not served (404)` : ""}`,
  );
  return lines;
}

function agentLines(agents: AgentsReport): string[] {
  const lines = treeLines("agents", agents);
  if (!agents.served) return lines;
  const { tarballs } = agents;
  lines.push(
    tarballs.skipped
      ? `  tarballs: ${tarballs.named} named, not checked (--no-tarballs)`
      : `  tarballs: ${tarballs.checked} checked (${formatBytes(tarballs.bytes)} verified), ${tarballs.failed} failed`,
  );
  for (const pick of agents.lookups) {
    const client = `Juju ${pick.jujuVersion} ${pick.os}/${pick.arch}${pick.stream ? ` [${pick.stream}]` : ""}`;
    if (pick.outcome === "found") {
      const tarball = pick.tarballOk === false ? " — TARBALL FAILED" : "";
      lines.push(
        `  ✓ ${client} → ${pick.version} (${pick.tarball}, via ${fileName(pick.index ?? "")})${tarball}`,
      );
    } else {
      lines.push(`  ✗ ${client} → ${pick.outcome}`);
    }
  }
  return lines;
}

function imageLines(images: ImagesReport): string[] {
  const lines = treeLines("images", images);
  if (!images.served) return lines;
  for (const pick of images.lookups) {
    const what = `${pick.region} ${pick.endpoint} ${pick.base} ${pick.arch}${pick.stream === "released" ? "" : ` [${pick.stream}]`}`;
    lines.push(
      pick.outcome === "found"
        ? `  ✓ ${what} → ${pick.id} (version ${pick.versionKey}, via ${fileName(pick.index ?? "")})`
        : `  ✗ ${what} → ${pick.outcome}`,
    );
  }
  return lines;
}

/** The report as people read it: what Juju gets, then each problem with what Juju does. */
export function formatVerifyReport(report: VerifyReport): string {
  const lines: string[] = [];
  if (report.agents !== undefined) lines.push(...agentLines(report.agents), "");
  if (report.images !== undefined) lines.push(...imageLines(report.images), "");
  for (const note of report.notes) {
    lines.push(`note: ${note.area}${note.file ? ` ${note.file}` : ""}: ${note.message}`);
  }
  if (report.notes.length > 0) lines.push("");
  if (report.problems.length === 0) {
    lines.push("OK: Juju can use this mirror as checked.");
  } else {
    lines.push(`${report.problems.length} problem${report.problems.length === 1 ? "" : "s"}:`);
    for (const problem of report.problems) {
      lines.push(`✗ [${problem.area}] ${problem.url}`);
      lines.push(`    ${problem.message}`);
      lines.push(`    Juju: ${problem.juju}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
