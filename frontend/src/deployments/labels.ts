/** How a deployment is named in tables and pickers. */
import type { Deployment } from "../api/types";
import type { Translate } from "../i18n";

/** The version a deployment serves: "champion (v3)" when it follows an alias, else "v2". */
export function servesLabel(d: Deployment): string {
  if (!d.alias) return `v${d.version}`;
  return d.resolved_version ? `${d.alias} (v${d.resolved_version})` : d.alias;
}

export function stateLabel(d: Deployment, t: Translate): string {
  return d.state === "paused" ? t("deployments.state.paused") : t("deployments.state.active");
}
