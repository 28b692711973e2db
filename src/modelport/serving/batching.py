"""Adaptive micro-batching of online predictions: concurrent requests for one model, scored in one call.

A model's ``predict`` costs a fixed overhead per call (input checks, dispatch: about 0.5 ms for a
scikit-learn model) plus a little per row, so 32 single-row calls cost far more than one 32-row call.
:class:`MicroBatcher` gathers the requests that arrive for the same model while it is busy and scores
them together, then hands each caller its own rows of the result:

* an idle model scores a request at once (or after ``max_wait`` seconds, when set, to let others join),
  so a lone client pays nothing for batching (but a few microseconds of queueing);
* while a batch is being scored, new requests for that model queue up; when it is done they form the
  next batch (at most ``max_rows`` rows; the rest waits for the batch after), so the batch size follows
  the load by itself;
* one model has one batch in flight per event loop; different models are scored side by side;
* a batch that fails is scored again request by request, so a bad request fails alone and the others
  get their answers;
* a caller that goes away (its task cancelled) is simply not answered; the others are.

Frames are put together only when they have the same columns and dtypes (frames of a numeric schema
always do; a nullable column holding a null in one request but not in another gives another dtype,
and such frames are scored in separate calls, so no value is ever converted).

Where a batch is scored: in ``executor`` (the loop's default thread pool when None), so that a slow
model or a big batch never holds up the event loop; but a model whose calls have been taking less than
``inline_seconds`` (measured, per key) is scored in the event loop itself, which saves the thread
hand-off (tens of microseconds, a good share of a small model's request). A key's first call always
goes to the executor (it may load the model).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Hashable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy
import pandas

from modelport.flavors.base import Prediction

__all__ = ["MicroBatcher", "split_prediction"]

Scorer = Callable[[pandas.DataFrame], Prediction]


@dataclass
class _Item:
    frame: pandas.DataFrame
    score: Scorer
    future: asyncio.Future[Prediction]


class _Lane:
    """The requests waiting for one model in one event loop, and whether a batch is being scored."""

    __slots__ = ("busy", "pending", "rows", "task")

    def __init__(self) -> None:
        self.pending: deque[_Item] = deque()
        self.rows = 0
        self.busy = False
        self.task: asyncio.Task[None] | None = None  # a reference, or the loop may drop the task


class MicroBatcher:
    """Scores concurrent requests that share a ``key`` (one model) in as few calls as possible.

    ``max_rows``: most rows per call (a request larger than that is scored alone);
    ``max_wait``: seconds an idle model waits for company before scoring (0: none);
    ``inline_seconds``: a key whose calls take less than this (on average lately) is scored in the
    event loop, others in ``executor`` (0: always in ``executor``).
    """

    def __init__(
        self,
        max_rows: int = 256,
        max_wait: float = 0.0,
        inline_seconds: float = 0.0,
        executor: Executor | None = None,
    ) -> None:
        self.max_rows = max(1, max_rows)
        self.max_wait = max(0.0, max_wait)
        self.inline_seconds = max(0.0, inline_seconds)
        self.executor = executor
        self._lanes: dict[tuple[asyncio.AbstractEventLoop, Hashable], _Lane] = {}
        self._cost: dict[Hashable, float] = {}
        """Seconds per call, per key: a moving average of the last calls."""
        self.calls = 0
        """Calls of a scorer so far (batches, plus requests re-scored alone after a failed batch)."""
        self.requests = 0
        """Requests answered or failed so far."""

    async def submit(self, key: Hashable, score: Scorer, frame: pandas.DataFrame) -> Prediction:
        """The prediction for ``frame``, scored with other requests of ``key`` when they coincide.

        ``score`` must give the same answers as the other scorers submitted under ``key``: the batch
        is scored by the scorer of its first request.
        """
        rows = len(frame)
        if rows >= self.max_rows:
            self.requests += 1
            return _checked(await self._call(key, score, frame), rows)
        loop = asyncio.get_running_loop()
        lane = self._lanes.get((loop, key))
        if lane is None:
            lane = self._lanes[(loop, key)] = _Lane()
        future: asyncio.Future[Prediction] = loop.create_future()
        lane.pending.append(_Item(frame, score, future))
        lane.rows += rows
        if not lane.busy:
            lane.busy = True
            lane.task = loop.create_task(self._drain(loop, key, lane))
        return await future

    async def _drain(self, loop: asyncio.AbstractEventLoop, key: Hashable, lane: _Lane) -> None:
        try:
            if self.max_wait > 0 and lane.rows < self.max_rows:
                await asyncio.sleep(self.max_wait)
            while lane.pending:
                batch = [lane.pending.popleft()]
                taken = len(batch[0].frame)
                while lane.pending and taken + len(lane.pending[0].frame) <= self.max_rows:
                    item = lane.pending.popleft()
                    taken += len(item.frame)
                    batch.append(item)
                lane.rows -= taken
                await self._score(key, batch)
        finally:
            lane.busy = False
            if lane.pending:  # only when this task was cancelled (the loop is closing)
                for item in lane.pending:
                    if not item.future.done():
                        item.future.cancel()
                lane.pending.clear()
                lane.rows = 0
            if self._lanes.get((loop, key)) is lane:
                del self._lanes[(loop, key)]

    async def _score(self, key: Hashable, batch: list[_Item]) -> None:
        live = [item for item in batch if not item.future.done()]  # callers gone: not scored
        self.requests += len(batch)
        groups: dict[Any, list[_Item]] = {}
        if len(live) == 1:
            groups[None] = live
        else:
            for item in live:
                groups.setdefault(_signature(item.frame), []).append(item)
        for items in groups.values():
            try:
                frame = _concat([item.frame for item in items])
                prediction = await self._call(key, items[0].score, frame)
                parts = split_prediction(prediction, [len(item.frame) for item in items])
            except Exception as exc:
                if len(items) == 1:
                    _fail(items[0].future, exc)
                    continue
                for item in items:  # a bad request must not fail the others: each on its own
                    try:
                        result = await self._call(key, item.score, item.frame)
                        _answer(item.future, _checked(result, len(item.frame)))
                    except Exception as error:
                        _fail(item.future, error)
                continue
            for item, part in zip(items, parts, strict=True):
                _answer(item.future, part)

    async def _call(self, key: Hashable, score: Scorer, frame: pandas.DataFrame) -> Prediction:
        self.calls += 1
        if self._cost.get(key, float("inf")) < self.inline_seconds:
            return self._timed(key, score, frame)
        return await asyncio.get_running_loop().run_in_executor(self.executor, self._timed, key, score, frame)

    def _timed(self, key: Hashable, score: Scorer, frame: pandas.DataFrame) -> Prediction:
        started = time.perf_counter()
        try:
            return score(frame)
        finally:
            took = time.perf_counter() - started
            last = self._cost.get(key)
            self._cost[key] = took if last is None else 0.8 * last + 0.2 * took
            if len(self._cost) > 4096:  # many models over time: forget them all, relearn
                self._cost.clear()


def _answer(future: asyncio.Future[Prediction], result: Prediction) -> None:
    if not future.done():
        future.set_result(result)


def _fail(future: asyncio.Future[Prediction], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)


_FAST_KINDS = frozenset("biuf")


def _block_dtype(frame: pandas.DataFrame) -> numpy.dtype[Any] | None:
    """The dtype of a frame held in one numeric block (the usual shape of a numeric schema), else None."""
    blocks = getattr(getattr(frame, "_mgr", None), "blocks", None)
    if blocks is not None and len(blocks) == 1:
        dtype = blocks[0].dtype
        if isinstance(dtype, numpy.dtype) and dtype.kind in _FAST_KINDS:
            return dtype
    return None


def _signature(frame: pandas.DataFrame) -> tuple[Any, ...]:
    """Frames with equal signatures (columns and dtypes) can be concatenated without any conversion."""
    dtype = _block_dtype(frame)
    columns = tuple(frame.columns)
    if dtype is not None:
        return (columns, dtype)
    return (columns, tuple(frame.dtypes))


def _concat(frames: list[pandas.DataFrame]) -> pandas.DataFrame:
    if len(frames) == 1:
        return frames[0]
    if _block_dtype(frames[0]) is not None:  # one numeric block each (same signature): stack the arrays
        return pandas.DataFrame(numpy.concatenate([f.to_numpy() for f in frames]), columns=frames[0].columns)
    return pandas.concat(frames, ignore_index=True)


def _checked(prediction: Prediction, rows: int) -> Prediction:
    return split_prediction(prediction, [rows])[0]


def split_prediction(prediction: Prediction, sizes: list[int]) -> list[Prediction]:
    """Cut a batch's prediction into one per request, ``sizes`` rows each (in order).

    ValueError when the model answered another number of rows than the batch had.
    """
    total = sum(sizes)
    values = numpy.asarray(prediction.predictions)
    if values.ndim == 0 or len(values) != total:
        raise ValueError(
            f"the model gave {values.size if values.ndim == 0 else len(values)} predictions for {total} rows"
        )
    probabilities = prediction.probabilities
    if probabilities is not None:
        probabilities = numpy.asarray(probabilities)
        if len(probabilities) != total:
            raise ValueError(f"the model gave {len(probabilities)} probability rows for {total} rows")
    if len(sizes) == 1:
        return [prediction]
    parts = []
    start = 0
    for size in sizes:
        end = start + size
        parts.append(
            Prediction(
                predictions=values[start:end],
                probabilities=probabilities[start:end] if probabilities is not None else None,
                classes=prediction.classes,
            )
        )
        start = end
    return parts
