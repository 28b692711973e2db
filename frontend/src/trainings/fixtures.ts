/** Trainings for tests, as the API answers them (every required field). */
import type { Evaluation, LeaderboardEntry, Training } from "../api/types";

export function anEntry(over: Partial<LeaderboardEntry> = {}): LeaderboardEntry {
  return {
    rank: 1,
    trial: 0,
    candidate: "lightgbm",
    params: { learning_rate: 0.1, num_leaves: 31 },
    fold_scores: [0.9, 0.91, 0.89],
    mean: 0.9,
    std: 0.008,
    fit_seconds: 1.25,
    predict_seconds: 0.04,
    ...over,
  };
}

/** A binary evaluation: metrics, confusion matrix, ROC, precision-recall, calibration, importance. */
export function aBinaryEvaluation(over: Partial<Evaluation> = {}): Evaluation {
  return {
    rows: 200,
    metrics: { roc_auc: 0.91, accuracy: 0.86, f1: 0.71, log_loss: 0.33 },
    threshold: 0.42,
    confusion_matrix: { labels: ["no", "yes"], matrix: [[140, 10], [18, 32]] },
    roc: { x: [0, 0.1, 0.3, 1], y: [0, 0.6, 0.85, 1], area: 0.91 },
    precision_recall: { x: [0, 0.5, 0.8, 1], y: [1, 0.85, 0.7, 0.25], area: 0.78 },
    calibration: { x: [0.1, 0.5, 0.9], y: [0.12, 0.45, 0.88], area: null },
    residuals: null,
    importance: [
      { feature: "tenure", mean: 0.12, std: 0.01 },
      { feature: "plan", mean: 0.05, std: 0.004 },
    ],
    ...over,
  };
}

export function aRegressionEvaluation(over: Partial<Evaluation> = {}): Evaluation {
  return {
    rows: 100,
    metrics: { rmse: 3.2, r2: 0.78, mae: 2.4 },
    threshold: null,
    confusion_matrix: null,
    roc: null,
    precision_recall: null,
    calibration: null,
    residuals: { predicted: [10, 12, 15], residual: [0.5, -1.2, 2] },
    importance: [{ feature: "surface", mean: 4.1, std: 0.3 }],
    ...over,
  };
}

export function aTraining(over: Partial<Training> = {}): Training {
  return {
    id: 7,
    execution: 70,
    status: "running",
    progress: 0.4,
    dataset: "customers",
    dataset_version: 2,
    dataset_sha256: "c".repeat(64),
    target: "churned",
    task: "binary",
    metric: "roc_auc",
    budget_s: 60,
    steps: [],
    options: { folds: 5, holdout: 0.2, seed: 0, time_column: null, candidates: null },
    leaderboard: [],
    best: null,
    evaluation: null,
    challenger: null,
    registered: [],
    mlflow_run_id: null,
    code_version: "0.9.0+g1234567",
    error: null,
    created_by: "ds",
    created_at: "2026-11-20T10:00:00Z",
    started_at: "2026-11-20T10:00:01Z",
    finished_at: null,
    ...over,
  };
}
