"""The micro-batcher of online predictions: batching, routing of results, failures, waits."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import numpy as np
import pandas as pd
import pytest

from modelport.flavors.base import Prediction
from modelport.serving.batching import MicroBatcher, split_prediction
from tests.asyncrun import run as run_async


def frame(*values: float, dtype: Any = np.float64) -> pd.DataFrame:
    return pd.DataFrame({"x": np.asarray(values, dtype=dtype), "y": np.asarray(values, dtype=dtype) * 10})


class Recorder:
    """A scorer that predicts ``x * 2`` (probabilities from x), slowly, and records each call."""

    def __init__(self, delay: float = 0.02, fail_on: float | None = None) -> None:
        self.delay = delay
        self.fail_on = fail_on
        self.calls: list[list[float]] = []
        self.dtypes: list[Any] = []
        self.threads: list[int] = []

    def __call__(self, data: pd.DataFrame) -> Prediction:
        self.calls.append(data["x"].tolist())
        self.dtypes.append(data["x"].dtype)
        self.threads.append(threading.get_ident())
        time.sleep(self.delay)
        if self.fail_on is not None and self.fail_on in data["x"].tolist():
            raise ValueError(f"cannot score {self.fail_on}")
        x = data["x"].to_numpy(dtype=float)
        return Prediction(predictions=x * 2, probabilities=np.column_stack([x, 1 - x]), classes=["a", "b"])


async def submit_all(batcher: MicroBatcher, scorer: Recorder, frames: list[pd.DataFrame]) -> list[Any]:
    return await asyncio.gather(*(batcher.submit("model", scorer, f) for f in frames), return_exceptions=True)


def test_concurrent_requests_are_scored_together_and_each_gets_its_own_rows() -> None:
    batcher = MicroBatcher(max_rows=64)
    scorer = Recorder()
    frames = [frame(float(i)) for i in range(10)] + [frame(100.0, 101.0, 102.0)]

    results = run_async(submit_all(batcher, scorer, frames))

    for f, result in zip(frames, results, strict=True):
        assert isinstance(result, Prediction)
        assert result.predictions.tolist() == (f["x"] * 2).tolist()
        assert result.probabilities is not None
        assert result.probabilities[:, 0].tolist() == f["x"].tolist()
        assert result.classes == ["a", "b"]
    # all arrived before the model was free: one call of 13 rows, in the order of arrival
    assert scorer.calls == [[float(i) for i in range(10)] + [100.0, 101.0, 102.0]]
    assert batcher.requests == 11 and batcher.calls == 1


def test_requests_arriving_while_the_model_is_busy_form_the_next_batch() -> None:
    batcher = MicroBatcher()
    scorer = Recorder(delay=0.05)

    async def run() -> list[Prediction]:
        first = asyncio.ensure_future(batcher.submit("m", scorer, frame(0.0)))
        await asyncio.sleep(0.01)  # the first is being scored (in a thread)
        rest = [asyncio.ensure_future(batcher.submit("m", scorer, frame(float(i)))) for i in range(1, 6)]
        return await asyncio.gather(first, *rest)

    results = run_async(run())
    assert [r.predictions.tolist() for r in results] == [[float(2 * i)] for i in range(6)]
    assert scorer.calls == [[0.0], [1.0, 2.0, 3.0, 4.0, 5.0]]


def test_a_batch_never_exceeds_max_rows_and_a_large_request_goes_alone() -> None:
    batcher = MicroBatcher(max_rows=4)
    scorer = Recorder()
    frames = [frame(float(i)) for i in range(9)] + [frame(*range(50, 56))]

    results = run_async(submit_all(batcher, scorer, frames))

    assert all(isinstance(r, Prediction) for r in results)
    assert [len(c) for c in scorer.calls if len(c) != 6] and max(
        len(c) for c in scorer.calls if len(c) != 6
    ) <= 4
    assert [50.0, 51.0, 52.0, 53.0, 54.0, 55.0] in scorer.calls  # 6 rows > max_rows: scored on its own
    assert sum(len(c) for c in scorer.calls) == 15


def test_a_bad_request_fails_alone() -> None:
    batcher = MicroBatcher()
    scorer = Recorder(fail_on=13.0)
    frames = [frame(float(i)) for i in range(10, 16)]

    results = run_async(submit_all(batcher, scorer, frames))

    failed = [r for r in results if isinstance(r, Exception)]
    assert len(failed) == 1 and isinstance(failed[0], ValueError) and "13.0" in str(failed[0])
    assert isinstance(results[3], ValueError)
    for f, result in zip(frames, results, strict=True):
        if f["x"][0] != 13.0:
            assert isinstance(result, Prediction)
            assert result.predictions.tolist() == [f["x"][0] * 2]


def test_a_model_answering_the_wrong_number_of_rows_fails_each_request_on_its_own() -> None:
    def short(data: pd.DataFrame) -> Prediction:
        time.sleep(0.01)
        return Prediction(predictions=np.zeros(1))  # one prediction whatever the rows

    batcher = MicroBatcher()

    async def run() -> list[Any]:
        frames = [frame(1.0), frame(2.0), frame(3.0), frame(4.0, 5.0)]
        return await asyncio.gather(*(batcher.submit("m", short, f) for f in frames), return_exceptions=True)

    results = run_async(run())
    assert [isinstance(r, Prediction) for r in results] == [True, True, True, False]
    assert isinstance(results[3], ValueError) and "1 predictions for 2 rows" in str(results[3])


def test_frames_of_different_dtypes_are_not_mixed() -> None:
    batcher = MicroBatcher()
    scorer = Recorder()
    frames = [frame(1.0), frame(2, dtype=np.int64), frame(3.0), frame(4, dtype=np.int64), frame(5.0)]

    results = run_async(submit_all(batcher, scorer, frames))

    assert [r.predictions.tolist() for r in results] == [[2.0], [4.0], [6.0], [8.0], [10.0]]
    for values, dtype in zip(scorer.calls, scorer.dtypes, strict=True):
        expected = np.int64 if values[0] in (2, 4) else np.float64
        assert dtype == expected, (values, dtype)


def test_mixed_blocks_are_concatenated_with_pandas() -> None:
    batcher = MicroBatcher()
    seen: list[pd.DataFrame] = []

    def score(data: pd.DataFrame) -> Prediction:
        seen.append(data)
        time.sleep(0.01)
        return Prediction(predictions=data["name"].to_numpy())

    def row(i: int) -> pd.DataFrame:
        return pd.DataFrame(
            {"x": [float(i)], "name": [f"n{i}"], "when": pd.to_datetime([i], unit="D", utc=True)}
        )

    async def run() -> list[Prediction]:
        return await asyncio.gather(*(batcher.submit("m", score, row(i)) for i in range(5)))

    results = run_async(run())
    assert [r.predictions.tolist() for r in results] == [[f"n{i}"] for i in range(5)]
    batch = seen[-1]
    assert len(batch) == 5 and list(batch.index) == [0, 1, 2, 3, 4]
    assert str(batch["when"].dtype) == "datetime64[ns, UTC]" and batch["x"].dtype == np.float64


def test_a_cancelled_caller_does_not_stop_the_others() -> None:
    batcher = MicroBatcher()
    scorer = Recorder(delay=0.05)

    async def run() -> list[Any]:
        first = asyncio.ensure_future(batcher.submit("m", scorer, frame(1.0)))
        await asyncio.sleep(0.01)  # the first is being scored; these two queue up
        second = asyncio.ensure_future(batcher.submit("m", scorer, frame(2.0)))
        third = asyncio.ensure_future(batcher.submit("m", scorer, frame(3.0)))
        await asyncio.sleep(0)
        second.cancel()
        return await asyncio.gather(first, second, third, return_exceptions=True)

    first, second, third = run_async(run())
    assert isinstance(second, asyncio.CancelledError)
    assert first.predictions.tolist() == [2.0] and third.predictions.tolist() == [6.0]
    assert [3.0] in scorer.calls and not any(2.0 in c for c in scorer.calls)


def test_the_wait_of_an_idle_model_is_bounded() -> None:
    async def timed(batcher: MicroBatcher) -> float:
        started = time.perf_counter()
        await batcher.submit("m", Recorder(delay=0), frame(1.0))
        return time.perf_counter() - started

    assert run_async(timed(MicroBatcher(max_wait=0.0))) < 0.5
    waited = run_async(timed(MicroBatcher(max_wait=0.03)))
    assert 0.025 <= waited < 0.5

    # with a wait, requests arriving within it share the first call
    batcher = MicroBatcher(max_wait=0.03)
    scorer = Recorder(delay=0)

    async def staggered() -> list[Prediction]:
        async def later(i: int) -> Prediction:
            await asyncio.sleep(0.002 * i)
            return await batcher.submit("m", scorer, frame(float(i)))

        return await asyncio.gather(*(later(i) for i in range(4)))

    results = run_async(staggered())
    assert [r.predictions.tolist() for r in results] == [[0.0], [2.0], [4.0], [6.0]]
    assert len(scorer.calls) == 1


def test_fast_models_are_scored_in_the_event_loop_after_the_first_call() -> None:
    batcher = MicroBatcher(inline_seconds=1.0)
    scorer = Recorder(delay=0)

    async def run() -> int:
        for i in range(3):
            await batcher.submit("m", scorer, frame(float(i)))
        return threading.get_ident()

    loop_thread = run_async(run())
    assert scorer.threads[0] != loop_thread  # unknown cost (maybe a model load): in a thread
    assert scorer.threads[1:] == [loop_thread, loop_thread]

    slow = MicroBatcher(inline_seconds=0.001)
    slow_scorer = Recorder(delay=0.005)

    async def run_slow() -> int:
        for i in range(3):
            await slow.submit("m", slow_scorer, frame(float(i)))
        return threading.get_ident()

    loop_thread = run_async(run_slow())
    assert loop_thread not in slow_scorer.threads


def test_keys_are_independent() -> None:
    batcher = MicroBatcher()
    a, b = Recorder(), Recorder()

    async def run() -> list[Prediction]:
        return await asyncio.gather(
            *(batcher.submit("a", a, frame(float(i))) for i in range(3)),
            *(batcher.submit("b", b, frame(float(i + 10))) for i in range(3)),
        )

    results = run_async(run())
    assert [r.predictions.tolist()[0] for r in results] == [0.0, 2.0, 4.0, 20.0, 22.0, 24.0]
    assert all(v < 10 for call in a.calls for v in call) and all(v >= 10 for call in b.calls for v in call)


def test_split_prediction() -> None:
    prediction = Prediction(predictions=np.array([[1, 2], [3, 4], [5, 6]]), probabilities=None, classes=None)
    parts = split_prediction(prediction, [2, 1])
    assert [p.predictions.tolist() for p in parts] == [[[1, 2], [3, 4]], [[5, 6]]]
    assert split_prediction(prediction, [3]) == [prediction]
    with pytest.raises(ValueError, match="3 predictions for 4 rows"):
        split_prediction(prediction, [2, 2])
    bad = Prediction(predictions=np.zeros(2), probabilities=np.zeros((3, 2)), classes=[0, 1])
    with pytest.raises(ValueError, match="3 probability rows for 2 rows"):
        split_prediction(bad, [1, 1])
