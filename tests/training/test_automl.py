"""The AutoML trainer on small synthetic frames with raw columns (numbers with blanks, text categories,
dates, free text): task detection, up-front refusals, the budget, seeds, the leaderboard, threshold
tuning, cancelling, time-ordered splits and a skops round trip of the trained pipeline."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.model_selection import FixedThresholdClassifier

from modelport.errors import InvalidArgument
from modelport.flavors.sklearn import check_skops_types
from modelport.schemas import (
    CastStep,
    DatePartsStep,
    DropColumnsStep,
    FilterRowsStep,
    ImputeStep,
    LeaderboardEntry,
    MissingTokensStep,
)
from modelport.training import metrics
from modelport.training.automl import (
    TrainingCancelled,
    TrainOptions,
    check_trainable,
    detect_task,
    train,
)
from modelport.training.candidates import HistBoostingClassifier
from modelport.training.cleaning import Cleaner

FAST = ["linear", "lightgbm", "extra_trees"]


def _frame(rows: int = 300, seed: int = 0, positives: float | None = None) -> pd.DataFrame:
    """Raw columns as an upload gives them; ``churn`` depends on ``usage``, ``plan`` and ``tenure``."""
    rng = np.random.default_rng(seed)
    usage = rng.normal(50, 15, rows)
    tenure = rng.integers(1, 60, rows).astype(float)
    plan = rng.choice(["basic", "plus", "pro"], rows)
    signal = (usage - 50) / 15 + (plan == "basic") * 1.0 - tenure / 30 + rng.normal(0, 0.7, rows)
    cut = np.quantile(signal, 1 - positives) if positives is not None else 0.0
    frame = pd.DataFrame(
        {
            "usage": usage,
            "tenure": tenure,
            "plan": plan,
            "signup": pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 700, rows), "D"),
            "customer": [f"C{i:05d}" for i in range(rows)],
            "churn": np.where(signal > cut, "yes", "no"),
        }
    )
    frame.loc[frame.index[::11], "usage"] = np.nan
    frame.loc[frame.index[::13], "plan"] = None
    return frame


def _refused(frame: pd.DataFrame, options: TrainOptions) -> InvalidArgument:
    with pytest.raises(InvalidArgument) as caught:
        check_trainable(frame, options)
    return caught.value


# --- task detection ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "task"),
    [
        (["yes", "no"] * 10, "binary"),
        ([0, 1, 1, 0] * 5, "binary"),
        ([True, False] * 10, "binary"),
        (["a", "b", "c", "d"] * 5, "multiclass"),
        ([1, 2, 3, 4, 5] * 4, "multiclass"),
        (list(np.linspace(0.0, 10.0, 20)), "regression"),
        (list(range(100, 140)), "regression"),
    ],
)
def test_task_detected_from_the_target(values: list[Any], task: str) -> None:
    assert detect_task(pd.Series(values)) == task


def test_detected_task_and_metric_reach_the_outcome_and_an_override_wins() -> None:
    frame = _frame(200)
    outcome = train(frame, TrainOptions(target="churn", budget_s=4, candidates=["linear"], max_trials=2))
    assert (outcome.task, outcome.metric) == ("binary", "roc_auc")
    assert outcome.classes == ["no", "yes"]
    frame["score"] = frame["tenure"] * 2.0 + np.arange(len(frame)) % 7
    outcome = train(
        frame.drop(columns=["churn"]),
        TrainOptions(target="score", budget_s=4, metric="mae", candidates=["linear"], max_trials=2),
    )
    assert (outcome.task, outcome.metric, outcome.classes, outcome.threshold) == (
        "regression",
        "mae",
        None,
        None,
    )
    tenure_as_classes = frame.assign(tenure=frame["tenure"] % 3)
    outcome = train(
        tenure_as_classes,
        TrainOptions(target="tenure", task="multiclass", budget_s=4, candidates=["linear"], max_trials=1),
    )
    assert outcome.task == "multiclass" and outcome.metric == "accuracy" and outcome.classes == [0, 1, 2]


# --- refusals ---------------------------------------------------------------------------------------


def test_refusals_name_the_field_and_the_problem() -> None:
    frame = _frame(100)
    cases: list[tuple[pd.DataFrame, TrainOptions, str, str]] = [
        (
            frame,
            TrainOptions(target="churned"),
            "target",
            "the target column 'churned' is not in the dataset",
        ),
        (
            frame.assign(churn=None),
            TrainOptions(target="churn"),
            "target",
            "the target column 'churn' is empty",
        ),
        (frame[["churn"]], TrainOptions(target="churn"), "dataset", "no feature column besides the target"),
        (
            frame[["customer", "churn"]],
            TrainOptions(target="churn"),
            "dataset",
            "no usable feature column: every column besides the target is left out "
            "(customer (identifier-like))",
        ),
        (frame.assign(churn="no"), TrainOptions(target="churn"), "target", "has one class only ('no')"),
        (
            frame.assign(churn=["yes"] * 2 + ["no"] * 98),
            TrainOptions(target="churn"),
            "target",
            "each class needs at least 3 rows, one for the holdout and two to cross-validate: "
            "'yes' has 2 rows (1 left after the holdout); add rows of these classes, or leave them out "
            "with a filter_rows step on the target (not_in)",
        ),
        (frame.head(15), TrainOptions(target="churn"), "dataset", "too few rows: 15 with a target"),
        (
            frame,
            TrainOptions(target="churn", metric="rmse"),
            "metric",
            "metric 'rmse' does not fit a binary task",
        ),
        (
            frame,
            TrainOptions(target="churn", task="regression"),
            "task",
            "a regression needs a numeric target",
        ),
        (
            frame,
            TrainOptions(target="churn", task="multiclass"),
            "task",
            "has two classes: train a binary task",
        ),
        (
            frame,
            TrainOptions(target="churn", time_column="when"),
            "time_column",
            "'when' is not in the dataset",
        ),
        (
            frame,
            TrainOptions(target="churn", time_column="plan"),
            "time_column",
            "'plan' does not hold dates",
        ),
        (frame, TrainOptions(target="churn", folds=1), "folds", "folds must be at least 2"),
        (
            frame,
            TrainOptions(
                target="churn", steps=[DropColumnsStep(columns=["usage", "tenure", "plan", "signup"])]
            ),
            "dataset",
            "no usable feature column",
        ),
        (
            frame,
            TrainOptions(target="churn", steps=[DropColumnsStep(columns=["nope"])]),
            "steps[0].columns",
            "nope",
        ),
    ]
    for data, options, field, message in cases:
        error = _refused(data, options)
        assert error.field == field, (field, str(error))
        assert message in error.message, (message, error.message)


def test_rows_without_a_target_are_left_out_not_refused() -> None:
    frame = _frame(200)
    frame.loc[frame.index[:30], "churn"] = None
    lines: list[str] = []
    outcome = train(
        frame, TrainOptions(target="churn", budget_s=4, candidates=["linear"], max_trials=1), log=lines.append
    )
    assert len(outcome.X_train) + len(outcome.X_holdout) == 170
    assert "30 rows without a target left out" in lines


# --- cleaning steps that name the target -------------------------------------------------------------


def test_steps_on_the_target_clean_it_before_training_and_feature_steps_make_the_cleaner() -> None:
    frame = _frame(300)
    frame.loc[frame.index[::17], "churn"] = "?"
    steps = [
        FilterRowsStep(column="tenure", operator=">=", value=3),
        MissingTokensStep(tokens=["?"]),  # every column: the target's and the features'
        CastStep(column="churn", to="boolean"),
        ImputeStep(column="usage", strategy="median"),
    ]
    lines: list[str] = []
    outcome = train(
        frame,
        TrainOptions(target="churn", budget_s=5, candidates=["linear", "lightgbm"], steps=steps),
        log=lines.append,
    )
    assert outcome.task == "binary" and outcome.classes == [False, True]
    kept = frame[(frame["tenure"] >= 3) & (frame["churn"] != "?")]
    assert len(outcome.X_train) + len(outcome.X_holdout) == len(kept)
    assert (
        f"{int(((frame['tenure'] >= 3) & (frame['churn'] == '?')).sum())} rows without a target left out"
        in lines
    )
    assert set(outcome.y_train) | set(outcome.y_holdout) == {False, True}
    assert list(outcome.y_holdout) == list(kept.loc[outcome.X_holdout.index, "churn"] == "yes")
    cleaner = outcome.pipeline.named_steps["clean"]
    assert "churn" not in cleaner.feature_names_in_
    assert [s["op"] for s in cleaner.steps] == ["missing_tokens", "impute"]
    raw = outcome.X_holdout.head(5).assign(usage=np.nan)  # the Cleaner imputes a served blank
    assert set(outcome.pipeline.predict(raw)) <= {False, True}


def test_an_impute_of_the_target_fills_it_and_a_clip_of_it_bounds_it() -> None:
    frame = _frame(200).drop(columns=["churn"])
    frame["score"] = frame["tenure"] * 3.0
    frame.loc[frame.index[:20], "score"] = np.nan
    outcome = train(
        frame,
        TrainOptions(
            target="score",
            budget_s=4,
            candidates=["linear"],
            max_trials=1,
            steps=[ImputeStep(column="score", strategy="constant", value=-1.0)],
        ),
    )
    assert len(outcome.X_train) + len(outcome.X_holdout) == 200  # no row left out
    assert (pd.concat([outcome.y_train, outcome.y_holdout]) == -1.0).sum() == 20


def test_steps_at_fault_are_named_by_the_users_own_index() -> None:
    frame = _frame(100)
    cases: list[tuple[list[Any], str, str]] = [
        (
            [
                FilterRowsStep(column="tenure", operator=">", value=1),
                DropColumnsStep(columns=["customer", "churn"]),
            ],
            "steps[1].columns",
            "step 2 (drop_columns) drops the target 'churn'",
        ),
        (
            [DatePartsStep(column="churn", parts=["year"])],
            "steps[0].column",
            "the target 'churn' cannot be split into date parts",
        ),
        (  # data-dependent, in the features' Cleaner: its 1st step is the user's 4th
            [
                FilterRowsStep(column="tenure", operator=">", value=1),
                CastStep(column="churn", to="boolean"),
                MissingTokensStep(column="churn", tokens=["maybe"]),
                ImputeStep(column="plan", strategy="mean"),
            ],
            "steps[3].column",
            "step 4 (impute): column 'plan' is not numeric",
        ),
        (  # data-dependent, in the target's Cleaner: its 1st step is the user's 3rd
            [
                DropColumnsStep(columns=["customer"]),
                CastStep(column="usage", to="number"),
                ImputeStep(column="churn", strategy="median"),
            ],
            "steps[2].column",
            "step 3 (impute): column 'churn' is not numeric",
        ),
        (
            [DropColumnsStep(columns=["usage", "tenure", "plan", "signup", "customer"])],
            "dataset",
            "no feature column besides the target",
        ),
    ]
    for steps, field, message in cases:
        error = _refused(frame, TrainOptions(target="churn", steps=steps))
        assert error.field == field, (field, str(error))
        assert message in error.message, (message, error.message)


# --- small data -------------------------------------------------------------------------------------


def _small(rows: int, labels: list[Any], seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x": rng.normal(size=rows), "kind": rng.choice(["a", "b"], rows), "label": labels})


def test_small_classes_run_fewer_folds_and_keep_one_holdout_row_per_class() -> None:
    cases: list[tuple[pd.DataFrame, int, str | None, int]] = [
        # 4 classes of 5 rows: one each in the holdout, 4 left: 4 folds, not 5
        (_small(20, ["a", "b", "c", "d"] * 5), 5, "4 folds instead of 5: class 'a' has 4 rows left", 4),
        # 10 classes of 3 rows: the holdout grows to one per class, 2 left each: 2 folds
        (_small(30, list(range(10)) * 3), 5, "2 folds instead of 5: class 0 has 2 rows left", 10),
        # a rare class of 3 rows in 100
        (_small(100, ["yes"] * 3 + ["no"] * 97), 5, "2 folds instead of 5: class 'yes' has 2 rows left", 20),
        # as asked when the classes allow it
        (_small(20, ["a", "b", "c", "d"] * 5), 3, None, 4),
    ]
    for frame, folds, note, holdout in cases:
        options = TrainOptions(target="label", folds=folds, budget_s=3, candidates=["linear", "lightgbm"])
        check_trainable(frame, options)
        lines: list[str] = []
        outcome = train(frame, options, log=lines.append)
        assert len(outcome.X_holdout) == holdout
        assert set(outcome.y_holdout) == set(frame["label"])  # every class in the holdout
        assert set(outcome.y_train) == set(frame["label"])
        count = folds if note is None else int(note.split()[0])
        assert all(len(e.fold_scores) == count for e in outcome.leaderboard), lines
        if note is None:
            assert not [line for line in lines if "instead of" in line]
        else:
            assert any(note in line for line in lines), lines
        assert any(f"{count} folds on {len(outcome.X_train)} rows" in line for line in lines)


def test_boosting_on_few_rows_of_many_classes_runs_fixed_rounds_and_round_trips(tmp_path: Path) -> None:
    """HistGradientBoosting's own validation split cannot hold 7 classes in 3 rows: it runs a fixed
    number of rounds there, and stops early where the rows allow it."""
    frame = _small(35, list(range(7)) * 5)
    outcome = train(
        frame,
        TrainOptions(
            target="label", folds=3, budget_s=10, candidates=["hist_gradient_boosting"], max_trials=1
        ),
    )
    model = outcome.pipeline.named_steps["model"][-1]
    assert isinstance(model, HistBoostingClassifier) and not model.do_early_stopping_
    assert (model.early_stopping, model.max_iter) == (True, 1000)  # its parameters are untouched
    path = tmp_path / "model.skops"
    skops.io.dump(outcome.pipeline, path)
    untrusted = skops.io.get_untrusted_types(file=path)
    check_skops_types(untrusted)
    loaded = skops.io.load(path, trusted=untrusted)
    assert list(loaded.predict(outcome.X_holdout)) == list(outcome.pipeline.predict(outcome.X_holdout))
    big = _small(400, list(range(4)) * 100)
    model = HistBoostingClassifier(early_stopping=True, max_iter=1000).fit(big[["x"]], big["label"])
    assert model.do_early_stopping_ and model.n_iter_ < 1000


def test_small_regression_runs_fewer_folds_than_rows_allow() -> None:
    frame = _small(20, list(np.linspace(0.0, 5.0, 20)))
    lines: list[str] = []
    outcome = train(
        frame,
        TrainOptions(target="label", folds=10, budget_s=3, candidates=["linear"], max_trials=1),
        log=lines.append,
    )
    assert "8 folds instead of 10: 16 rows left after the holdout" in lines
    assert len(outcome.leaderboard[0].fold_scores) == 8


def test_time_ordered_folds_skip_earliest_rows_of_one_class_or_refuse() -> None:
    rows = 100
    frame = _frame(rows).sort_values("signup").reset_index(drop=True)
    frame["churn"] = "no"
    frame.loc[frame.index[40::3], "churn"] = "yes"  # nothing but 'no' in the earliest 40 rows
    lines: list[str] = []
    outcome = train(
        frame,
        TrainOptions(target="churn", time_column="signup", budget_s=3, candidates=["linear"], max_trials=1),
        log=lines.append,
    )
    assert "3 time-ordered folds instead of 5 (the earliest rows of 2 more hold one class only)" in lines
    assert len(outcome.leaderboard[0].fold_scores) == 3
    frame["churn"] = "no"
    frame.loc[frame.index[-25::2], "churn"] = "yes"  # 'yes' only in the latest rows
    error = _refused(frame, TrainOptions(target="churn", time_column="signup"))
    assert error.field == "time_column"
    assert "cannot make two time-ordered folds" in error.message
    assert "train without a time column" in error.message


# --- budget, seed, leaderboard ----------------------------------------------------------------------


def test_budget_is_honoured_within_ten_percent() -> None:
    frame = _frame(600)
    started = time.monotonic()
    outcome = train(frame, TrainOptions(target="churn", budget_s=6, seed=1))
    took = time.monotonic() - started
    assert took <= 6 * 1.1 + 1.0, took
    assert outcome.seconds <= took
    assert len(outcome.leaderboard) >= 2  # the search ran more than the first trial


def test_same_seed_same_search() -> None:
    frame = _frame(250)

    def run() -> list[tuple[Any, ...]]:
        options = TrainOptions(target="churn", budget_s=60, seed=7, candidates=FAST, max_trials=5)
        outcome = train(frame, options)
        return sorted(
            (e.trial, e.candidate, repr(e.params), tuple(e.fold_scores)) for e in outcome.leaderboard
        )

    first, second = run(), run()
    assert first == second
    assert len({candidate for _, candidate, _, _ in first}) >= 3


def test_leaderboard_sorted_complete_and_sent_after_every_trial() -> None:
    frame = _frame(300)
    updates: list[tuple[list[LeaderboardEntry], float]] = []
    outcome = train(
        frame,
        TrainOptions(target="churn", metric="log_loss", budget_s=5, folds=4, candidates=FAST),
        on_update=lambda board, progress: updates.append((board, progress)),
    )
    board = outcome.leaderboard
    assert [e.rank for e in board] == list(range(1, len(board) + 1))
    assert [e.mean for e in board] == sorted(e.mean for e in board)  # log-loss: lower is better
    assert outcome.best == board[0]
    for entry in board:
        assert len(entry.fold_scores) == 4
        assert entry.mean == pytest.approx(np.mean(entry.fold_scores))
        assert entry.std == pytest.approx(np.std(entry.fold_scores))
        assert entry.fit_seconds > 0 and entry.predict_seconds > 0
        assert entry.candidate in (*FAST, "ensemble")
    singles = [e for e in board if e.candidate != "ensemble"]
    assert {e.candidate for e in singles} == set(FAST)  # each default configuration ran
    assert len({e.trial for e in board}) == len(board)
    # one update per finished trial (and the ensemble), growing, then the final one at 100 %
    sizes = [len(b) for b, _ in updates]
    assert sizes[:-1] == list(range(1, len(board) + 1))
    assert updates[-1] == (board, 1.0)
    assert all(0.0 <= p <= 1.0 for _, p in updates)
    assert [p for _, p in updates] == sorted(p for _, p in updates)


# --- threshold, cancel, time order ------------------------------------------------------------------


def test_threshold_tuned_on_imbalanced_data_predicts_positives(tmp_path: Path) -> None:
    frame = _frame(1500, seed=3, positives=0.045)
    assert (frame["churn"] == "yes").mean() == pytest.approx(0.045, abs=0.002)
    outcome = train(frame, TrainOptions(target="churn", budget_s=8, seed=3))
    assert outcome.metric == "f1"  # the rarer class is under 20 %: F1 by default
    assert outcome.threshold is not None and 0.0 < outcome.threshold < 1.0
    assert outcome.best.params["threshold"] == pytest.approx(outcome.threshold, abs=1e-6)
    model = outcome.pipeline.named_steps["model"]
    assert isinstance(model, FixedThresholdClassifier)
    assert model.pos_label == "yes" and model.threshold == outcome.threshold
    predicted = outcome.pipeline.predict(outcome.X_holdout)
    assert (predicted == "yes").sum() > 0
    assert metrics.score("f1", outcome.y_holdout, predicted) > 0.3
    path = tmp_path / "model.skops"
    skops.io.dump(outcome.pipeline, path)
    untrusted = skops.io.get_untrusted_types(file=path)
    check_skops_types(untrusted)
    loaded = skops.io.load(path, trusted=untrusted)
    assert list(loaded.predict(outcome.X_holdout)) == list(predicted)  # the threshold survives the file


def test_cancel_stops_between_trials() -> None:
    frame = _frame(300)
    seen: list[int] = []
    started = time.monotonic()
    with pytest.raises(TrainingCancelled, match="training cancelled"):
        train(
            frame,
            TrainOptions(target="churn", budget_s=30),
            on_update=lambda board, progress: seen.append(len(board)),
            cancelled=lambda: len(seen) >= 1,
        )
    assert seen == [1]
    assert time.monotonic() - started < 15


def test_time_ordered_holdout_and_folds_follow_the_dates() -> None:
    frame = _frame(300).sample(frac=1.0, random_state=4)  # rows not in date order
    lines: list[str] = []
    outcome = train(
        frame,
        TrainOptions(target="churn", time_column="signup", budget_s=4, candidates=["linear", "lightgbm"]),
        log=lines.append,
    )
    assert outcome.X_holdout["signup"].min() >= outcome.X_train["signup"].max()
    assert list(outcome.X_train["signup"]) == sorted(outcome.X_train["signup"])
    assert len(outcome.X_holdout) == 60
    assert any("the latest by signup" in line for line in lines)


# --- the trained pipeline ---------------------------------------------------------------------------


def test_pipeline_round_trips_through_skops_and_takes_raw_columns_with_blanks(tmp_path: Path) -> None:
    frame = _frame(400)
    frame["note"] = [f"called about {w} twice" for w in np.resize(["billing", "speed", "price", "app"], 400)]
    steps = [
        FilterRowsStep(column="tenure", operator=">=", value=2),
        ImputeStep(column="usage", strategy="median"),
        DropColumnsStep(columns=["customer"]),
    ]
    outcome = train(frame, TrainOptions(target="churn", budget_s=6, steps=steps))
    kept = int((frame["tenure"] >= 2).sum())
    assert len(outcome.X_train) + len(outcome.X_holdout) == kept  # the row step ran before the split
    assert isinstance(outcome.pipeline.named_steps["clean"], Cleaner)
    path = tmp_path / "model.skops"
    skops.io.dump(outcome.pipeline, path)
    untrusted = skops.io.get_untrusted_types(file=path)
    check_skops_types(untrusted)  # every type is one modelport admits
    loaded = skops.io.load(path, trusted=untrusted)
    raw = pd.DataFrame(
        {
            "usage": [np.nan, 70.0, None, 20.0],
            "tenure": [3.0, np.nan, 40.0, 10.0],
            "plan": ["basic", None, "enterprise", "pro"],  # a blank and a plan never seen
            "signup": pd.to_datetime(["2024-05-01", None, "2025-01-01", "2024-02-03"], utc=True),
            "customer": ["X1", "X2", "X3", "X4"],
            "note": ["called about price twice", None, "", "new words only"],
        }
    )
    expected = outcome.pipeline.predict_proba(raw)
    assert np.allclose(loaded.predict_proba(raw), expected)
    assert list(loaded.predict(raw)) == list(outcome.pipeline.predict(raw))
    assert set(loaded.predict(raw)) <= {"yes", "no"}
    holdout = loaded.predict_proba(outcome.X_holdout)
    assert metrics.score("roc_auc", outcome.y_holdout, holdout, classes=outcome.classes) > 0.7


def test_nullable_types_infinities_and_long_text_train() -> None:
    """Columns as the dataset reader types them: nullable booleans, integers and strings, infinities
    and a very long text; the target a nullable boolean with a blank."""
    rng = np.random.default_rng(1)
    rows = 200
    x = np.where(rng.random(rows) < 0.05, np.inf, rng.normal(size=rows))
    frame = pd.DataFrame(
        {
            "flag": pd.array(rng.choice([True, False, None], rows), dtype="boolean"),
            "count": pd.array(rng.choice([1, 2, 3, None], rows), dtype="Int64"),
            "x": x,
            "name": pd.array(rng.choice(["a", "b", None], rows), dtype="string"),
            "long": ["word " * 20_000 + str(i % 5) for i in range(rows)],
            "target": pd.array(np.nan_to_num(x, posinf=1.0) > 0, dtype="boolean"),
        }
    )
    frame.loc[3, "target"] = pd.NA
    outcome = train(frame, TrainOptions(target="target", budget_s=4, candidates=["linear", "lightgbm"]))
    assert outcome.task == "binary" and outcome.classes == [False, True]
    assert len(outcome.X_train) + len(outcome.X_holdout) == rows - 1
    predicted = outcome.pipeline.predict(outcome.X_holdout)
    assert set(predicted) <= {False, True}
    assert metrics.score("accuracy", outcome.y_holdout, predicted) > 0.8
