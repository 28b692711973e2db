/** The rules of the model page's self-service section, apart from its layout. */
import type { MarketRequestApprove, Model, SelfService } from "../api/types";
import { deploymentName } from "../deployments/deployForm";
import type { Translate } from "../i18n";

/** The market the deploy dialog proposes: the first open market without a deployment yet. */
export function proposedMarket(ss: SelfService): string {
  if (ss.all_markets) return "";
  const deployed = new Set(ss.deployments.map((d) => d.market));
  return ss.markets.find((m) => !deployed.has(m)) ?? ss.markets[0] ?? "";
}

/** The name a self-service deployment gets unless the user types one (the API's free name when known). */
export function proposedDeploymentName(ss: SelfService, market: string): string {
  const m = market.trim().toUpperCase();
  if (!m) return "";
  return ss.suggested_names[m] ?? deploymentName(ss.model, m);
}

/** What the opening serves, in words: "alias champion (v2)" or "version 3". */
export function openingTarget(ss: SelfService, t: Translate): string {
  if (ss.alias) {
    return ss.resolved_version ? t("markets.followsAlias", { alias: ss.alias, v: ss.resolved_version }) : t("markets.followsAliasGone", { alias: ss.alias });
  }
  return t("markets.pinnedVersion", { v: ss.version ?? "?" });
}

/** The markets open, in words. */
export function openMarkets(ss: SelfService, t: Translate): string {
  return ss.all_markets ? t("markets.allMarkets") : ss.markets.join(", ");
}

/**
 * The body of a one-click approval: nothing when the model is open already (the market is added);
 * else what to open it with: its champion alias, else its latest version.
 */
export function approveBody(ss: SelfService, model: Pick<Model, "aliases" | "latest_version">): MarketRequestApprove | undefined {
  if (ss.open) return undefined;
  if (model.aliases && "champion" in model.aliases) return { alias: "champion" };
  return { version: model.latest_version };
}
