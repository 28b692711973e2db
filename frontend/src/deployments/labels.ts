/** How a deployment is named in tables and pickers. */
import type { Deployment, InputSpec } from "../api/types";
import type { Translate } from "../i18n";

/** The version a deployment serves: "champion (v3)" when it follows an alias, else "v2". */
export function servesLabel(d: Deployment): string {
  if (!d.alias) return `v${d.version}`;
  return d.resolved_version ? `${d.alias} (v${d.resolved_version})` : d.alias;
}

export function stateLabel(d: Deployment, t: Translate): string {
  return d.state === "paused" ? t("deployments.state.paused") : t("deployments.state.active");
}

/** Where the runs of a deployment read their rows, in words. */
export function inputLabel(input: InputSpec, t: Translate): string {
  if (input.kind === "dataset") return t("deployments.inputDataset", { name: input.filename || input.dataset?.slice(0, 12) || "?" });
  if (input.kind === "sql") return t("deployments.inputSql", { connection: input.connection ?? "?" });
  return t("deployments.inputUpload");
}

export function badRowsLabel(policy: Deployment["on_bad_rows"], t: Translate): string {
  return policy === "skip" ? t("deploy.badRowsSkip") : t("deploy.badRowsReject");
}

/** Rows a run left out (on_bad_rows "skip"), as its summary counts them. */
export function rejectedRows(summary: Record<string, unknown> | null | undefined): number {
  const n = summary?.rejected_rows;
  return typeof n === "number" ? n : 0;
}
