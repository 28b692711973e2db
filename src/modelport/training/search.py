"""The search of a training: Optuna trials over the candidates, each cross-validated under the budget,
then the blend of the best and the final fit (see :mod:`modelport.training.automl` for the steps).

:class:`Search` takes a :class:`Prepared` dataset (checked, with its holdout and folds planned) and the
:class:`TrainOptions` (exported by :mod:`modelport.training.automl`); the trials' preprocessed folds are
cached per family of candidates, each trial's time is estimated from the earlier ones, and a trial that
could not finish before the deadline is skipped or stopped between folds.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import optuna
import pandas as pd
from sklearn.ensemble import VotingClassifier, VotingRegressor
from sklearn.model_selection import FixedThresholdClassifier
from sklearn.pipeline import Pipeline

from modelport.schemas import CleaningStep, LeaderboardEntry
from modelport.training import metrics
from modelport.training.candidates import (
    CANDIDATES,
    ColumnLayout,
    build_estimator,
    build_pipeline,
    build_preprocessor,
    cost_units,
    default_params,
    family,
    suggest_params,
)
from modelport.training.cleaning import Cleaner

__all__ = ["Prepared", "Search", "Split", "TrainOptions", "TrainingCancelled", "Trial"]

_IMBALANCED_SHARE = 0.35  # below it, default configurations weigh classes (F1 metrics)
_ENSEMBLE_POOL = 4
_ENSEMBLE_STEPS = 12
_DEADLINE_SHARE = 0.92  # of the budget, for the search (less the time kept for the final fit)
_FINAL_SHARE = 0.97  # of the budget, for the final fit; the rest absorbs estimation errors
_SKIPS_BEFORE_STOP = 12
_CACHE_BYTES = 512 * 2**20  # preprocessed folds kept for the next trials


@dataclass
class TrainOptions:
    """What to train: ``budget_s`` is the wall-clock budget of the whole training (search and final fit).
    ``max_trials`` stops the search early (reproducible runs); ``n_jobs`` caps the threads used."""

    target: str
    task: str | None = None
    metric: str | None = None
    budget_s: float = 60
    folds: int = 5
    holdout: float = 0.2
    seed: int = 0
    time_column: str | None = None
    candidates: list[str] | None = None
    steps: list[CleaningStep] = field(default_factory=list)
    max_trials: int | None = None
    n_jobs: int = 1


class TrainingCancelled(Exception):
    """Raised by :func:`~modelport.training.automl.train` when ``cancelled()`` answers True (checked
    between trials and folds)."""

    def __init__(self) -> None:
        super().__init__("training cancelled")


@dataclass
class Prepared:
    """A dataset checked and ready for the search: raw feature columns, the target, the task and metric,
    how the cleaned columns are read, and the holdout and folds."""

    X: pd.DataFrame
    y: pd.Series
    task: str
    metric: str
    classes: np.ndarray | None
    layout: ColumnLayout
    rows_left_out: int
    steps: list[dict[str, Any]]  # the feature steps: the pipeline's Cleaner
    step_indices: list[int]  # the user's index of each feature step
    split: Split


@dataclass
class Split:
    """Row positions of the training rows and of the holdout, the folds (positions in the training
    rows) and what was adapted to a small dataset (said in the log)."""

    train: np.ndarray
    hold: np.ndarray
    folds: list[tuple[np.ndarray, np.ndarray]]
    notes: list[str]


@dataclass
class Trial:
    number: int
    candidate: str
    params: dict[str, Any]
    oof: np.ndarray
    fold_scores: list[float]
    mean: float
    std: float
    threshold: float | None
    fit_seconds: list[float]
    predict_seconds: list[float]
    seconds: float  # of the estimators alone (the preprocessing of a fold is shared by trials)
    members: list[tuple[int, float]] | None = None  # ensemble: (trial, weight)


class Search:
    """One training's search: cross-validated trials under the deadline, the ensemble, the final fit."""

    def __init__(
        self,
        data: Prepared,
        options: TrainOptions,
        start: float,
        on_update: Callable[[list[LeaderboardEntry], float], None] | None,
        log: Callable[[str], None] | None,
        cancelled: Callable[[], bool] | None,
    ) -> None:
        self.data, self.options, self.start = data, options, start
        self.on_update, self.log_to, self.cancelled = on_update, log, cancelled
        self.task, self.metric = data.task, data.metric
        self.classification = data.task != "regression"
        self.classes = data.classes
        self.steps = data.steps
        self.deadline = start + options.budget_s * _DEADLINE_SHARE
        self.trials: list[Trial] = []
        self.history: dict[str, list[float]] = {}  # candidate -> seconds per cost unit
        self.cache: dict[tuple[int, str], tuple[np.ndarray, np.ndarray, float, float]] = {}
        self.cache_bytes = 0
        self.prep_seconds: dict[str, float] = {}  # family -> seconds preprocessing every fold
        self.greater = metrics.greater_is_better(data.metric)
        self.pos: Any = None
        self.pos_index = 1
        if data.task == "binary" and self.classes is not None:
            self.pos = metrics.positive_class(data.y.to_numpy())
            self.pos_index = int(np.flatnonzero(self.classes == self.pos)[0])
        self.tune = data.task == "binary" and data.metric in ("f1", "macro_f1")

    def log(self, line: str) -> None:
        if self.log_to is not None:
            self.log_to(line)

    def check_cancel(self) -> None:
        if self.cancelled is not None and self.cancelled():
            self.log("cancelled")
            raise TrainingCancelled()

    # data ---------------------------------------------------------------------------------------

    def split(self) -> None:
        data, split = self.data, self.data.split
        self.X_train, self.y_train = data.X.iloc[split.train], data.y.iloc[split.train]
        self.X_holdout, self.y_holdout = data.X.iloc[split.hold], data.y.iloc[split.hold]
        self.y = self.y_train.to_numpy()
        n_train = len(split.train)
        self.folds = split.folds
        self.valid = np.zeros(n_train, dtype=bool)
        for _, va in self.folds:
            self.valid[va] = True
        self.fit_share = float(np.mean([len(tr) for tr, _ in self.folds])) / n_train

    # scoring ------------------------------------------------------------------------------------

    def _labels_at(self, proba: np.ndarray, threshold: float | None) -> np.ndarray:
        assert self.classes is not None
        if threshold is None:
            return np.asarray(self.classes[np.argmax(proba, axis=1)])
        neg = self.classes[1 - self.pos_index]
        return np.asarray(np.where(proba[:, self.pos_index] >= threshold, self.pos, neg))

    def _tune_threshold(self, proba: np.ndarray, y: np.ndarray) -> float:
        p = proba[:, self.pos_index]
        actual = y == self.pos
        grid = np.unique(np.concatenate([np.quantile(p, np.linspace(0.0, 1.0, 201)), [0.5]]))
        predicted = p[None, :] >= grid[:, None]
        tp = (predicted & actual).sum(axis=1)
        fp = (predicted & ~actual).sum(axis=1)
        fn = (~predicted & actual).sum(axis=1)
        tn = len(y) - tp - fp - fn
        f1_pos = 2 * tp / np.maximum(2 * tp + fp + fn, 1)
        scores = f1_pos if self.metric == "f1" else (f1_pos + 2 * tn / np.maximum(2 * tn + fn + fp, 1)) / 2
        best = np.flatnonzero(scores >= scores.max() - 1e-12)
        return float(grid[best[np.argmin(np.abs(grid[best] - 0.5))]])

    def score_oof(self, oof: np.ndarray) -> tuple[list[float], float | None]:
        """Fold scores of out-of-fold predictions, at the threshold tuned on them (when tuned)."""
        threshold = None
        if self.tune:
            threshold = self._tune_threshold(oof[self.valid], self.y[self.valid])
        scores = []
        for _, va in self.folds:
            part = oof[va]
            if self.classification and not metrics.needs_proba(self.metric):
                part = self._labels_at(part, threshold)
            value = metrics.score(self.metric, self.y[va], part, classes=self.classes, pos_label=self.pos)
            if math.isfinite(value):
                scores.append(value)
        return scores, threshold

    def better(self, a: float, b: float) -> bool:
        return a > b if self.greater else a < b

    # trials -------------------------------------------------------------------------------------

    def model(self, candidate: str, params: dict[str, Any]) -> Pipeline:
        estimator = build_pipeline(
            candidate, self.task, params, self.data.layout, self.options.seed, self.options.n_jobs
        )
        return Pipeline([("clean", Cleaner(self.steps)), ("model", estimator)])

    def _predict(self, model: Any, X: Any) -> np.ndarray:
        if not self.classification:
            return np.asarray(model.predict(X), dtype=float)
        assert self.classes is not None
        proba = np.asarray(model.predict_proba(X), dtype=float)
        fitted = list(model.classes_)
        if len(fitted) == len(self.classes):
            return proba
        full = np.zeros((proba.shape[0], len(self.classes)))
        for j, label in enumerate(fitted):
            full[:, int(np.flatnonzero(self.classes == label)[0])] = proba[:, j]
        return full

    def preprocessed(self, i: int, family_name: str) -> tuple[np.ndarray, np.ndarray, float, float]:
        """Fold ``i``'s training and validation rows through the Cleaner and the family's preprocessing,
        both fitted on the fold's training rows, with the seconds fitting and applying them took. Kept
        for the next trials of the family while the cache stays under ``_CACHE_BYTES``."""
        hit = self.cache.get((i, family_name))
        if hit is not None:
            return hit
        tr, va = self.folds[i]
        prep = Pipeline(
            [("clean", Cleaner(self.steps)), ("prep", build_preprocessor(self.data.layout, family_name))]
        )
        t0 = time.monotonic()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            train = np.asarray(prep.fit_transform(self.X_train.iloc[tr], self.y[tr]), dtype=float)
            t1 = time.monotonic()
            valid = np.asarray(prep.transform(self.X_train.iloc[va]), dtype=float)
        entry = (train, valid, t1 - t0, time.monotonic() - t1)
        self.prep_seconds[family_name] = self.prep_seconds.get(family_name, 0.0) + entry[2] + entry[3]
        if self.cache_bytes + train.nbytes + valid.nbytes <= _CACHE_BYTES:
            self.cache[(i, family_name)] = entry
            self.cache_bytes += train.nbytes + valid.nbytes
        return entry

    def cross_validate(
        self, number: int, candidate: str, params: dict[str, Any], must_finish: bool
    ) -> Trial | None:
        """The trial's out-of-fold predictions and fold scores; None when it was stopped because its
        remaining folds could not finish before the deadline."""
        n = len(self.y)
        oof = np.full((n, len(self.classes)) if self.classes is not None else n, np.nan)
        fits: list[float] = []
        predicts: list[float] = []
        began = time.monotonic()
        model_seconds = 0.0
        for i, (tr, _) in enumerate(self.folds):
            self.check_cancel()
            train, valid, prep_fit, prep_apply = self.preprocessed(i, family(candidate))
            estimator = build_estimator(
                candidate, self.task, params, self.data.layout, self.options.seed, self.options.n_jobs
            )
            t0 = time.monotonic()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                estimator.fit(train, self.y[tr])
                t1 = time.monotonic()
                oof[self.folds[i][1]] = self._predict(estimator, valid)
            t2 = time.monotonic()
            model_seconds += t2 - t0
            fits.append(prep_fit + t1 - t0)
            predicts.append(prep_apply + t2 - t1)
            left = len(self.folds) - i - 1
            if left and not must_finish:
                projected = (t2 - began) / (i + 1) * left
                if t2 + projected > self.deadline - self.reserve():
                    self.history.setdefault(candidate, []).append(
                        model_seconds / (i + 1) * len(self.folds) / self.units(candidate, params)
                    )
                    return None
        scores, threshold = self.score_oof(oof)
        if not scores:
            return None
        return Trial(
            number=number,
            candidate=candidate,
            params=params,
            oof=oof,
            fold_scores=scores,
            mean=float(np.mean(scores)),
            std=float(np.std(scores)),
            threshold=threshold,
            fit_seconds=fits,
            predict_seconds=predicts,
            seconds=model_seconds,
        )

    def units(self, candidate: str, params: dict[str, Any]) -> float:
        return cost_units(candidate, params, len(self.classes) if self.classes is not None else 0)

    def estimate(self, candidate: str, params: dict[str, Any]) -> float:
        """Seconds the trial is expected to take: its cost units times the seconds per unit of the
        candidate's earlier trials (of all trials for a candidate not tried yet), plus preprocessing
        the folds when they are not kept yet."""
        seen = self.history.get(candidate) or [r for rates in self.history.values() for r in rates]
        model = float(np.median(seen[-5:])) * self.units(candidate, params) if seen else 0.0
        name = family(candidate)
        if all((i, name) in self.cache for i in range(len(self.folds))):
            return model
        return model + self.prep_seconds.get(name, max(self.prep_seconds.values(), default=0.0))

    def reserve(self) -> float:
        """Seconds kept for the final fit: the best few candidates refitted on all training rows."""
        best: dict[str, Trial] = {}
        for trial in self.ranked():
            if trial.members is None and trial.candidate not in best:
                best[trial.candidate] = trial
        top = list(best.values())[:3]
        fit = sum(float(np.mean(t.fit_seconds)) for t in top)
        return 0.2 + 1.25 * fit / max(self.fit_share, 0.1)

    def ranked(self) -> list[Trial]:
        sign = -1.0 if self.greater else 1.0
        return sorted(self.trials, key=lambda t: (sign * t.mean, t.number))

    def leaderboard(self) -> list[LeaderboardEntry]:
        entries = []
        for rank, trial in enumerate(self.ranked(), start=1):
            params: dict[str, Any] = dict(trial.params)
            if trial.members is not None:
                params = {
                    "members": [
                        {"trial": number, "candidate": self._trial(number).candidate, "weight": round(w, 4)}
                        for number, w in trial.members
                    ]
                }
            if trial.threshold is not None:
                params["threshold"] = round(trial.threshold, 6)
            entries.append(
                LeaderboardEntry(
                    rank=rank,
                    trial=trial.number,
                    candidate=trial.candidate,
                    params=params,
                    fold_scores=[float(s) for s in trial.fold_scores],
                    mean=trial.mean,
                    std=trial.std,
                    fit_seconds=float(np.mean(trial.fit_seconds)),
                    predict_seconds=float(np.mean(trial.predict_seconds)),
                )
            )
        return entries

    def _trial(self, number: int) -> Trial:
        return next(t for t in self.trials if t.number == number)

    def progress(self) -> float:
        return min(0.99, (time.monotonic() - self.start) / self.options.budget_s)

    def update(self) -> None:
        if self.on_update is not None:
            self.on_update(self.leaderboard(), self.progress())

    def search(self) -> None:
        names = [c for c in CANDIDATES if c in (self.options.candidates or CANDIDATES)]
        counts = np.unique(self.y, return_counts=True)[1] if self.classification else None
        imbalanced = counts is not None and counts.min() / counts.sum() < _IMBALANCED_SHARE
        # Weighing classes trades accuracy for the rare classes' recall: a default only for F1 metrics.
        balanced = imbalanced and self.metric in ("f1", "macro_f1")
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # multivariate/group TPE is marked experimental
            sampler = optuna.samplers.TPESampler(
                seed=self.options.seed, multivariate=True, group=True, n_startup_trials=len(names) + 4
            )
        study = optuna.create_study(direction="maximize" if self.greater else "minimize", sampler=sampler)
        for name in names:
            study.enqueue_trial({"candidate": name, **default_params(name, self.classification, balanced)})
        skips = 0
        skipped: set[str] = set()
        while True:
            self.check_cancel()
            if self.options.max_trials is not None and len(self.trials) >= self.options.max_trials:
                self.log(f"stopping after {len(self.trials)} trials (max_trials)")
                break
            if skips >= _SKIPS_BEFORE_STOP:
                self.log("stopping: no candidate can finish in the time left")
                break
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                trial = study.ask()
                candidate = str(trial.suggest_categorical("candidate", names))
                params = suggest_params(trial, candidate, self.classification)
            first = not self.trials
            left = self.deadline - self.reserve() - time.monotonic()
            expected = self.estimate(candidate, params)
            if not first and (left <= 0 or expected > left):
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                skips += 1
                if left <= 0:
                    self.log("stopping: the budget is spent")
                    break
                if candidate not in skipped:
                    skipped.add(candidate)
                    self.log(f"{candidate} skipped: about {expected:.1f} s needed, {left:.1f} s left")
                continue
            result = self.cross_validate(trial.number, candidate, params, must_finish=first)
            if result is None:
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                self.log(f"trial {trial.number} {candidate} stopped: it could not finish in the time left")
                skips += 1
                continue
            skips = 0
            study.tell(trial, result.mean)
            self.trials.append(result)
            self.forget_predictions(candidate)
            self.history.setdefault(candidate, []).append(result.seconds / self.units(candidate, params))
            self.log(
                f"trial {trial.number} {candidate}: {self.metric} {result.mean:.4f} ± {result.std:.4f} "
                f"({result.seconds:.1f} s)"
            )
            self.update()

    def forget_predictions(self, candidate: str) -> None:
        """Keep out-of-fold predictions for the best trial of the candidate only (the ensemble's pool)."""
        mine = [t for t in self.ranked() if t.candidate == candidate]
        for trial in mine[1:]:
            trial.oof = np.empty(0)

    def ensemble(self) -> None:
        """Blend the best trial of each candidate (greedy forward selection with replacement on the
        out-of-fold predictions); kept when it beats the best single trial in cross-validation and its
        final fit fits in the time left."""
        if self.options.candidates is not None and "ensemble" not in self.options.candidates:
            return
        pool: list[Trial] = []
        for trial in self.ranked():
            if trial.candidate not in {p.candidate for p in pool}:
                pool.append(trial)
        pool = pool[:_ENSEMBLE_POOL]
        if len(pool) < 2:
            return
        chosen: list[int] = []
        best_mean = metrics.worst_score(self.metric)
        for _ in range(_ENSEMBLE_STEPS):
            step_best: tuple[float, int] | None = None
            for i in range(len(pool)):
                blend = np.mean([pool[j].oof for j in [*chosen, i]], axis=0)
                scores, _ = self.score_oof(blend)
                mean = float(np.mean(scores)) if scores else metrics.worst_score(self.metric)
                if step_best is None or self.better(mean, step_best[0]):
                    step_best = (mean, i)
            assert step_best is not None
            if chosen and not self.better(step_best[0], best_mean):
                break
            chosen.append(step_best[1])
            best_mean = step_best[0]
        members = sorted(set(chosen))
        if len(members) < 2:
            return
        weights = [(pool[i].number, chosen.count(i) / len(chosen)) for i in members]
        blend = np.sum([pool[i].oof * (chosen.count(i) / len(chosen)) for i in members], axis=0)
        scores, threshold = self.score_oof(blend)
        mean = float(np.mean(scores))
        top = self.ranked()[0]
        if not self.better(mean, top.mean + (1e-9 if self.greater else -1e-9)):
            self.log(f"ensemble not kept: {self.metric} {mean:.4f} does not beat {top.mean:.4f}")
            return
        fit = sum(float(np.mean(pool[i].fit_seconds)) for i in members) / max(self.fit_share, 0.1)
        if time.monotonic() + 1.25 * fit > self.start + self.options.budget_s * _FINAL_SHARE:
            self.log("ensemble not kept: its final fit would not finish within the budget")
            return
        self.trials.append(
            Trial(
                number=max(t.number for t in self.trials) + 1,
                candidate="ensemble",
                params={},
                oof=blend,
                fold_scores=scores,
                mean=mean,
                std=float(np.std(scores)),
                threshold=threshold,
                fit_seconds=list(np.sum([pool[i].fit_seconds for i in members], axis=0)),
                predict_seconds=list(np.sum([pool[i].predict_seconds for i in members], axis=0)),
                seconds=0.0,
                members=weights,
            )
        )
        self.log(f"ensemble of {len(members)} trials: {self.metric} {mean:.4f} (best single {top.mean:.4f})")
        self.update()

    def final(self, best: Trial) -> Pipeline:
        """The best trial's pipeline fitted on all non-holdout rows."""
        if best.members is not None:
            estimators = [
                (
                    f"{self._trial(n).candidate}_{n}",
                    self.model(self._trial(n).candidate, self._trial(n).params)[-1],
                )
                for n, _ in best.members
            ]
            weights = [w for _, w in best.members]
            model: Any = (
                VotingClassifier(estimators, voting="soft", weights=weights)
                if self.classification
                else VotingRegressor(estimators, weights=weights)
            )
        else:
            model = self.model(best.candidate, best.params)[-1]
        if best.threshold is not None:
            model = FixedThresholdClassifier(
                model, threshold=best.threshold, pos_label=self.pos, response_method="predict_proba"
            )
        pipeline = Pipeline([("clean", Cleaner(self.steps)), ("model", model)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pipeline.fit(self.X_train, self.y_train.to_numpy())
        return pipeline
