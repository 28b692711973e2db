/** How a version is named in lists and pickers: "v3 (champion, eu)". */
import type { ModelVersion } from "../api/types";
import type { Option } from "../components/FormField";

export function versionLabel(v: ModelVersion): string {
  const aliases = v.aliases ?? [];
  return aliases.length ? `v${v.version} (${aliases.join(", ")})` : `v${v.version}`;
}

/** The choices of a version picker. */
export function versionChoices(versions: ModelVersion[]): Option[] {
  return versions.map((v) => ({ value: v.version, label: versionLabel(v) }));
}
