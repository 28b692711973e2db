/** Where the datasets pages lead: a dataset (at a version), its cleaning, a training on it. */

function withVersion(path: string, version?: number | null): string {
  return version ? `${path}?version=${version}` : path;
}

export function datasetPath(name: string, version?: number | null): string {
  return withVersion(`/datasets/${encodeURIComponent(name)}`, version);
}

export function cleaningPath(name: string, version?: number | null): string {
  return withVersion(`/datasets/${encodeURIComponent(name)}/clean`, version);
}

/** The train wizard, opened on a dataset version (and a target, when one is chosen). */
export function trainPath(name: string, version: number, target?: string): string {
  const params = new URLSearchParams({ dataset: name, version: String(version) });
  if (target) params.set("target", target);
  return `/trainings/new?${params.toString()}`;
}

/** The version a `?version=` parameter names, else null (the latest). */
export function versionParam(value: string | null): number | null {
  if (!value) return null;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : null;
}
