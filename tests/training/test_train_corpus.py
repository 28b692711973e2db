"""The trainer on every parseable file of the hostile corpus (tests/tabular/corpus.py), read as an upload
is: each training completes, or ``check_trainable`` refuses it up front with an InvalidArgument naming
the field and saying what to do. A scikit-learn error from inside the search is a failure."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from modelport.errors import InvalidArgument
from modelport.tabular.parsing import read_dataset
from modelport.training.automl import TrainOptions, check_trainable, train
from tests.tabular import corpus

CASES = [case for case in corpus.parseable() if case.target is not None]


def _read(case: corpus.Case, folder: Path) -> pd.DataFrame:
    folder.mkdir(parents=True, exist_ok=True)
    frame, _ = read_dataset(corpus.write(case, folder), case.filename)
    return frame


def _refusal(frame: pd.DataFrame, options: TrainOptions) -> InvalidArgument | None:
    try:
        check_trainable(frame, options)
    except InvalidArgument as error:
        return error
    return None


@pytest.mark.parametrize("folds", [5, 3])
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_corpus_file_trains_or_is_refused_up_front(
    case: corpus.Case, folds: int, tmp_path: Path
) -> None:
    frame = _read(case, tmp_path)
    assert case.target is not None
    options = TrainOptions(target=case.target, budget_s=2, folds=folds, max_trials=3)
    refusal = _refusal(frame, options)
    if refusal is not None:
        # the corpus's refused trainings are files of fewer than 20 rows with a target
        assert refusal.field == "dataset"
        assert re.fullmatch(
            r"too few rows: 1?\d with a target; at least 20 are needed to keep a holdout and "
            r"cross-validate: add rows",
            refusal.message,
        ), refusal.message
        return
    lines: list[str] = []
    outcome = train(frame, options, log=lines.append)
    assert outcome.leaderboard and outcome.best == outcome.leaderboard[0]
    assert len(outcome.X_train) + len(outcome.X_holdout) <= len(frame)
    assert len(outcome.X_holdout) >= 1
    if outcome.classes is not None:  # every class in the holdout
        assert set(outcome.y_holdout) == set(outcome.classes)
    assert all(len(entry.fold_scores) >= 2 for entry in outcome.leaderboard)
    predicted = outcome.pipeline.predict(outcome.X_holdout)
    assert len(predicted) == len(outcome.X_holdout)
    assert any("done in" in line for line in lines)


def test_most_corpus_files_train(tmp_path: Path) -> None:
    trained = [
        case.id
        for case in CASES
        if case.target is not None
        and _refusal(_read(case, tmp_path / case.id), TrainOptions(target=case.target)) is None
    ]
    assert len(CASES) >= 15 and len(trained) >= len(CASES) - 4, trained


def test_four_classes_of_five_rows_train_on_four_folds(tmp_path: Path) -> None:
    """The corpus's quoted newlines file: 20 rows, 4 scores of 5 rows each; one of each kept out for
    the holdout leaves 4 per class, so 4 folds run instead of the 5 asked, and the log says so."""
    case = next(case for case in CASES if case.id == "quoted_newlines")
    frame = _read(case, tmp_path)
    lines: list[str] = []
    outcome = train(frame, TrainOptions(target="score", budget_s=2, max_trials=3), log=lines.append)
    assert outcome.task == "multiclass" and len(outcome.X_holdout) == 4
    assert any(line.startswith("4 folds instead of 5: class ") for line in lines), lines
    assert all(len(entry.fold_scores) == 4 for entry in outcome.leaderboard)
