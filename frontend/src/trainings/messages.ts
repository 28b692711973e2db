/** Labels of the training pages (English and French; the same keys, TypeScript checks it). */
export const trainingsEn = {
  "nav.trainings": "Training",
  "trainings.title": "Training",
};

export const trainingsFr: Record<keyof typeof trainingsEn, string> = {
  "nav.trainings": "Entraînement",
  "trainings.title": "Entraînement",
};
