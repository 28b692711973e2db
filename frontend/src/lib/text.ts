/** Small text helpers of the forms. */

/** An identifier proposed from a title: "Prévision (FR)" -> "prevision-fr". */
export function slugify(s: string): string {
  return s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 100);
}

/** A comma-separated list typed in a field: " FR, DE ,, " -> ["FR", "DE"]. */
export function splitList(s: string): string[] {
  return s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
}
