/** Labels of the datasets pages (English and French; the same keys, TypeScript checks it). */
export const datasetsEn = {
  "nav.datasets": "Datasets",
  "datasets.title": "Datasets",
};

export const datasetsFr: Record<keyof typeof datasetsEn, string> = {
  "nav.datasets": "Jeux de données",
  "datasets.title": "Jeux de données",
};
