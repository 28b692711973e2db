"""The Spark batch engine (optional extra ``modelport[spark]``: pyspark 4 and Java 17).

An execution runs the same steps as with the local engine, with the scoring done by Spark:

1. **Input, staged as one local Parquet file.** A Parquet input is read by Spark as it is. A CSV or
   Excel input is first converted, streaming and with bounded memory, to a Parquet file beside the
   results with :func:`modelport.tabular.readers.iter_batches` and
   :class:`~modelport.tabular.writers.BatchWriter`: the very reader of the local engine, so both engines
   see the same columns, types, missing values and dialects (encodings, ``;`` delimiters, decimal
   commas, quoted newlines), and a bad line fails with its line number. Spark's own CSV reader was not
   used: it cannot read decimal commas, knows one missing-value marker instead of pandas' list, infers
   other types, reports no line numbers, and needs ``multiLine`` for quoted newlines, which reads a file
   in a single task anyway - so it would buy no parallelism over the local conversion, only differences.
   Spark then splits the Parquet file by row groups (one per ``chunk_rows`` rows) over its cores.
2. **A trial prediction** on the first 20 rows, locally: checks the input's columns against the
   version's schema (an error names the missing columns before Spark does anything) and gives the
   output columns and their types (``prediction`` or ``prediction_<i>``, ``probability_<class>``).
3. **Scoring with** ``mapInPandas``: the model *file* is shipped to the executors with
   ``SparkContext.addFile`` (under a name made of its sha256) and loaded once per Python worker process
   with :func:`modelport.flavors.load_model`. Each Arrow batch (``chunk_rows`` rows at most) is checked
   with :func:`modelport.tabular.validation.to_frame` and scored; the result is the input columns plus
   :func:`modelport.tabular.outputs.prediction_frame`'s outputs, exactly as the local engine writes
   them. A row that does not fit the schema fails the execution with its 1-based data row number (from
   Spark's ``_metadata.row_index`` of the staged Parquet file).
4. **Results**: Spark writes Parquet part files into a hidden folder beside the result; they are then
   merged in row order, streaming, into one file through
   :class:`~modelport.tabular.writers.BatchWriter` (Parquet or CSV, written as the local engine writes
   them; timestamps come back in microseconds, Spark's unit), while
   :class:`~modelport.tabular.outputs.SummaryAccumulator` summarises the predictions. The file appears
   at ``job.output_path`` atomically and only on success; a failure or a cancellation leaves nothing
   there, and the hidden folders are removed.

Progress is reported while Spark runs (completed tasks of the scoring job) and while merging; a
cancellation is honoured between stages, between merged chunks, and during the Spark job (its job
group is cancelled), raising :class:`~modelport.batch.base.Cancelled`.

**The Spark session** is built once per process (the worker's child process runs one execution, so
one session per execution) and reused: master from ``job.options["spark_master"]`` (the setting
``spark_master``, environment ``MODELPORT_SPARK_MASTER``; default ``local[*]``), application name
``modelport``, Arrow enabled, Spark UI and console progress bars off, log level ERROR, UTC session time
zone, Parquet timestamps written as microseconds. Extra Spark properties may be given as
``job.options["spark_conf"]`` (a ``{name: value}`` mapping, e.g. ``spark.driver.memory`` or
``spark.executor.memory``; they win over the defaults). Before the session is built, the engine sets
``PYSPARK_DRIVER_PYTHON`` to this interpreter and, for a ``local`` master, ``PYSPARK_PYTHON`` too (else
the Python workers may start an interpreter without pyarrow) and ``SPARK_LOCAL_IP=127.0.0.1`` unless
already set. Startup takes 10-30 s (a JVM); it overlaps with the staging of the input.

**Masters.** ``local[*]`` / ``local[N]``: Spark inside the worker's child process (the JVM is a child
of it and inherits its address-space limit: the JVM sizes its heap to fit, so the default 4 GB limit
works; give ``spark.driver.memory`` to change it). ``spark://host:7077`` (a standalone cluster) or
``k8s://https://api-server:443`` (with ``spark.kubernetes.container.image`` and friends in
``spark_conf``): the worker process is the Spark driver (client mode), so executors must be able to
connect back to it (``SPARK_LOCAL_IP`` / ``spark.driver.host`` set to an address they can reach), and
they need this package and its model-format libraries installed (a container image built from
``deploy/Dockerfile``) with the same Python version. The staged input, the model file and the part
files are read and written by executors **through local paths** under the worker's ``tmp_dir``: on a
cluster that folder must be a filesystem shared at the same path by the worker and every executor
(NFS, a Kubernetes ReadWriteMany volume). Spark cannot read ``s3://`` here (no ``hadoop-aws`` jars);
the executor stages inputs locally (the artifact store's local cache) before the engine runs, and keeps
doing so.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from modelport.batch.base import (
    BatchEngine,
    BatchJob,
    BatchResult,
    Cancelled,
    Reporter,
    parse_text_numbers,
    select_columns,
)
from modelport.columns import ModelSchema
from modelport.errors import InvalidArgument, ModelportError
from modelport.flavors import LoadedModel, load_model
from modelport.tabular.outputs import (
    UNKNOWN_CATEGORIES_COLUMN,
    SummaryAccumulator,
    flag_unknown_categories,
    prediction_frame,
)
from modelport.tabular.readers import iter_batches, preview
from modelport.tabular.writers import BatchWriter, frame_to_table

__all__ = ["DEFAULT_MASTER", "ROW_COLUMN", "SparkEngine", "spark_session", "stop_session"]

DEFAULT_MASTER = "local[*]"
#: The hidden column that carries each row's 0-based position in the input through Spark.
ROW_COLUMN = "__modelport_row__"
TRIAL_ROWS = 20
_ERROR_START = "<<modelport-error>>"
_ERROR_END = "<<end-modelport-error>>"
_ERROR = re.compile(re.escape(_ERROR_START) + r"(.*?)" + re.escape(_ERROR_END), re.DOTALL)

_DEFAULT_CONF: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.log.level": "ERROR",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
}
#: Only for ``local`` masters: no shuffle here needs the default 200 partitions.
_LOCAL_CONF: dict[str, str] = {"spark.sql.shuffle.partitions": "8"}

# --------------------------------------------------------------------------------------------- session

_lock = threading.Lock()
_session: Any = None
_session_key: tuple[str, tuple[tuple[str, str], ...]] | None = None
_shipped: set[str] = set()
_model_dir: Path | None = None


def _is_local(master: str) -> bool:
    return master == "local" or master.startswith("local[") or master.startswith("local-cluster[")


def _prepare_environment(master: str) -> None:
    """What pyspark needs in the environment before it starts the JVM (see MACHINE-NOTES)."""
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    if _is_local(master):
        os.environ["PYSPARK_PYTHON"] = sys.executable  # the workers are children of this machine's JVM
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    else:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)


def spark_session(master: str = DEFAULT_MASTER, conf: Mapping[str, str] | None = None) -> Any:
    """The process's Spark session for ``master`` (built on first use, then reused).

    Asking for another master or other properties stops the current session and builds a new one.
    A failure to start (no Java, a bad master URL) is a :class:`ModelportError` that says so.
    """
    global _session, _session_key
    extra = {str(k): str(v) for k, v in (conf or {}).items()}
    key = (master, tuple(sorted(extra.items())))
    with _lock:
        if _session is not None and _session_key == key:
            return _session
        if _session is not None:
            _stop_locked()
        _prepare_environment(master)
        try:
            from pyspark.sql import SparkSession

            settings = {**_DEFAULT_CONF, **(_LOCAL_CONF if _is_local(master) else {}), **extra}
            builder: Any = SparkSession.builder.master(master).appName("modelport")
            for name, value in settings.items():
                builder = builder.config(name, value)
            session = builder.getOrCreate()
            session.sparkContext.setLogLevel(settings["spark.log.level"])
        except ImportError:
            raise InvalidArgument(
                "the spark engine needs pyspark and Java: pip install 'modelport[spark]'", field="engine"
            ) from None
        except Exception as exc:  # noqa: BLE001 - py4j and pyspark raise many kinds when the JVM fails
            raise ModelportError(
                f"could not start Spark with master {master!r} (is Java 17 installed, JAVA_HOME set, and "
                f"the master reachable?): {type(exc).__name__}: {_first_line(str(exc))}"
            ) from None
        _session, _session_key = session, key
        return session


def stop_session() -> None:
    """Stop the process's Spark session, if any (tests; a process that ends needs not call it)."""
    with _lock:
        _stop_locked()


def _stop_locked() -> None:
    global _session, _session_key
    if _session is not None:
        try:
            _session.stop()
        finally:
            _session, _session_key = None, None
            _shipped.clear()


def _quote(name: str) -> str:
    """A column name as Spark reads it literally (dots and backticks included)."""
    return "`" + name.replace("`", "``") + "`"


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0][:500] if lines else ""


class _Background:
    """Builds the Spark session in a daemon thread while the input is staged locally."""

    def __init__(self, master: str, conf: Mapping[str, str]) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self.started = time.monotonic()
        self.seconds = 0.0
        self._thread = threading.Thread(target=self._build, args=(master, conf), daemon=True)
        self._thread.start()

    def _build(self, master: str, conf: Mapping[str, str]) -> None:
        try:
            self.result = spark_session(master, conf)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller by get()
            self.error = exc
        self.seconds = time.monotonic() - self.started

    def get(self, reporter: Reporter) -> Any:
        while self._thread.is_alive():
            self._thread.join(1.0)
            _check_cancelled(reporter, poll=True)
        if self.error is not None:
            raise self.error
        return self.result


# --------------------------------------------------------------------------------------------- helpers


def _check_cancelled(reporter: Reporter, poll: bool = False) -> None:
    if poll:
        reporter.progress(0, 0)  # a DbReporter refreshes its cancellation flag when it writes progress
    if reporter.cancelled():
        raise Cancelled()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _ship_model(spark: Any, path: Path) -> str:
    """Ship the model file to the executors once per session; its name there (made of its sha256)."""
    global _model_dir
    name = f"modelport-model-{_sha256(path)[:40]}{path.suffix}"
    with _lock:
        if name in _shipped:
            return name
        if _model_dir is None:
            _model_dir = Path(tempfile.mkdtemp(prefix="modelport-spark-models-"))
            atexit.register(shutil.rmtree, _model_dir, True)
        target = _model_dir / name
        if not target.exists():
            partial = target.with_name(f".{name}.{uuid.uuid4().hex[:8]}")
            try:
                os.link(path, partial)
            except OSError:
                shutil.copyfile(path, partial)
            os.replace(partial, target)
        spark.sparkContext.addFile(str(target))  # executors fetch it from the driver when they need it
        _shipped.add(name)
    return name


def _stage_input(job: BatchJob, folder: Path, reporter: Reporter) -> tuple[Path, int]:
    """The input as a local Parquet file Spark can read, and its number of rows."""
    if job.input_format == "parquet":
        from modelport.tabular.readers import count_rows

        rows = count_rows(job.input_path, "parquet") or 0
        if rows == 0:
            raise InvalidArgument("the input has no rows", field="file")
        return _readable_by_spark(job.input_path, folder, reporter, job.chunk_rows), rows
    started = time.monotonic()
    writer = BatchWriter(folder / "input.parquet", "parquet")
    try:
        types = {column.name: column.type for column in job.schema.columns}
        chunks = iter_batches(job.input_path, job.input_format, job.chunk_rows, types=types)  # type: ignore[arg-type]
        for chunk in chunks:
            _check_cancelled(reporter, poll=True)
            writer.write(chunk)
        if writer.rows_written == 0:
            raise InvalidArgument("the input has no rows", field="file")
        path = writer.commit()
    except BaseException:
        writer.abort()
        raise
    reporter.log(
        f"spark: converted the {job.input_format} input to Parquet for Spark "
        f"({writer.rows_written} rows, {time.monotonic() - started:.1f} s)"
    )
    return _readable_by_spark(path, folder, reporter, job.chunk_rows), writer.rows_written


def _spark_type(kind: pa.DataType) -> pa.DataType:
    """The nearest type Spark's Parquet reader accepts (it refuses nanosecond times and the null type)."""
    if pa.types.is_null(kind):
        return pa.string()
    if pa.types.is_timestamp(kind) and kind.unit == "ns":
        return pa.timestamp("us", kind.tz)
    if pa.types.is_time64(kind) and kind.unit == "ns":
        return pa.time64("us")
    if pa.types.is_float16(kind):
        return pa.float32()
    return kind


def _readable_by_spark(path: Path, folder: Path, reporter: Reporter, chunk_rows: int) -> Path:
    """``path``, or a copy Spark reads well, written batch by batch (bounded memory): with column types
    Spark's Parquet reader accepts (pandas writes nanosecond timestamps; an all-empty column is of the
    null type), and in row groups of ``chunk_rows`` rows, for Spark splits a file by row groups only
    (pandas and pyarrow write up to 1,048,576 rows per group: a million-row file would be one task)."""
    with pq.ParquetFile(path) as handle:
        schema = handle.schema_arrow
        wanted = pa.schema([field.with_type(_spark_type(field.type)) for field in schema])
        metadata = handle.metadata
        biggest = max((metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)), default=0)
        if wanted.equals(schema) and biggest <= 2 * chunk_rows:
            return path
        changed = [f.name for f, w in zip(schema, wanted, strict=True) if not f.type.equals(w.type)]
        target = folder / "input-spark.parquet"
        wanted = wanted.remove_metadata()
        with pq.ParquetWriter(target, wanted) as writer:
            for batch in handle.iter_batches(batch_size=chunk_rows, use_pandas_metadata=False):
                _check_cancelled(reporter, poll=True)
                table = pa.Table.from_batches([batch]).replace_schema_metadata(None)
                writer.write_table(table.cast(wanted, safe=False), row_group_size=chunk_rows)
    types = f", the column(s) {', '.join(changed)} in types Spark reads" if changed else ""
    reporter.log(f"spark: rewrote the input in row groups of {chunk_rows} rows{types}")
    return target


@dataclass(frozen=True)
class _Plan:
    """What the executors need to score, and what the merge needs to know of the outputs."""

    model_file: str
    flavor: str
    schema_json: str
    inputs: list[str]
    outputs: list[str]
    prediction_columns: list[str]


def _trial(job: BatchJob, source: Path) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Predict on the first rows locally: the columns are checked, and the output columns are learnt.

    Returns the trial result frame, the input columns (pandas index columns left out) and the
    prediction columns (``prediction`` or ``prediction_<i>``).
    """
    sample = preview(source, "parquet", TRIAL_ROWS)
    features = select_columns(sample, job.schema, 0)
    model = load_model(job.model_path, job.flavor)
    prediction = model.predict(features)
    result, _ = flag_unknown_categories(
        prediction_frame(sample.reset_index(drop=True), prediction), features, job.schema
    )
    inputs = [str(c) for c in sample.columns]
    outputs = [str(c) for c in result.columns[len(inputs) :]]
    predictions = [c for c in outputs if not c.startswith(("probability_", UNKNOWN_CATEGORIES_COLUMN))]
    return result, inputs, predictions


def _spark_name(kind: str, position: int) -> str:
    """Inside Spark, columns are named by position (``i0``.., ``o0``..): pyspark's ``mapInPandas`` and
    Parquet writer trip over some names people give columns (backticks, dots); the merge puts the real
    names back."""
    return f"{kind}{position}"


def _output_schema(frame_schema: Any, trial: pd.DataFrame, inputs: int) -> Any:
    """The Spark schema of the scored rows: the input fields, the outputs with the types of the trial
    prediction, and the row column."""
    from pyspark.sql.pandas.types import from_arrow_type
    from pyspark.sql.types import DoubleType, LongType, StructField, StructType

    fields = [
        StructField(_spark_name("o", i), field.dataType, True)
        for i, field in enumerate(frame_schema.fields[:inputs])
    ]
    table = frame_to_table(trial.iloc[:, inputs:])
    for j, field in enumerate(table.schema, start=inputs):
        kind = DoubleType() if pa.types.is_null(field.type) else from_arrow_type(field.type)
        fields.append(StructField(_spark_name("o", j), kind, True))
    fields.append(StructField(ROW_COLUMN, LongType(), False))
    return StructType(fields)


# --------------------------------------------------------------------------------------------- executors

_worker_models: dict[str, LoadedModel] = {}
_worker_schemas: dict[str, ModelSchema] = {}


def _worker_model(name: str, flavor: str) -> LoadedModel:
    """The shipped model, loaded once per Python worker process."""
    model = _worker_models.get(name)
    if model is None:
        from pyspark import SparkFiles

        model = load_model(Path(SparkFiles.get(name)), flavor)
        _worker_models.clear()  # a reused worker keeps one model at a time
        _worker_models[name] = model
    return model


def _encode_error(exc: InvalidArgument, rows: Any) -> str:
    """An InvalidArgument raised on an executor, with its batch rows turned into file row numbers."""

    def data_row(i: Any) -> int | None:
        return int(rows[i]) + 1 if isinstance(i, int) and 0 <= i < len(rows) else None

    def renumber(text: str, i: Any) -> str:
        row = data_row(i)
        return text if row is None else re.sub(r"^row \d+", f"input row {row}", text)

    details = exc.details if isinstance(exc.details, list) else None
    first = details[0] if details and isinstance(details[0], dict) else None
    message = renumber(exc.message, first.get("row")) if first is not None else exc.message
    if details:
        details = [
            {**d, "row": data_row(d.get("row")), "message": renumber(str(d.get("message", "")), d.get("row"))}
            if isinstance(d, dict)
            else d
            for d in details
        ]
    body = {"message": message, "field": "file", "details": details}
    return _ERROR_START + json.dumps(body, default=str) + _ERROR_END


class ExecutorError(Exception):
    """Raised on an executor to carry an InvalidArgument through Spark to the driver."""


@dataclass(frozen=True)
class _Scorer:
    """The ``mapInPandas`` function: pickled by reference to this module, so that the executors' model
    cache (a module global) outlives one task."""

    plan: _Plan

    def __call__(self, batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        from modelport.tabular.validation import to_frame

        plan = self.plan
        model = _worker_model(plan.model_file, plan.flavor)
        schema = _worker_schemas.get(plan.schema_json)
        if schema is None:
            schema = _worker_schemas[plan.schema_json] = ModelSchema.model_validate_json(plan.schema_json)
        names = schema.names()
        for batch in batches:
            rows = batch[ROW_COLUMN].to_numpy()
            inputs = batch.iloc[:, : len(plan.inputs)].set_axis(plan.inputs, axis=1)
            try:
                features = to_frame(parse_text_numbers(inputs[names], schema), schema)
            except InvalidArgument as exc:
                raise ExecutorError(_encode_error(exc, rows)) from None
            result, _ = flag_unknown_categories(
                prediction_frame(inputs, model.predict(features)), features, schema
            )
            result.columns = [_spark_name("o", j) for j in range(len(plan.outputs))]
            result[ROW_COLUMN] = rows
            yield result


# --------------------------------------------------------------------------------------------- driver


def _translate(exc: BaseException) -> BaseException:
    """A Spark failure as the error a user should read."""
    text = str(exc)
    found = _ERROR.search(text)
    if found:
        body = json.loads(found.group(1))
        return InvalidArgument(body["message"], field=body.get("field"), details=body.get("details"))
    # A Python error on an executor: its traceback's last line says what went wrong.
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    python = [line for line in lines if re.match(r"^[A-Za-z_][\w.]*(Error|Exception): ", line)]
    reason = python[-1] if python else _first_line(text)
    return ModelportError(f"scoring failed on Spark: {reason[:1500]}")


def _run_job(spark: Any, action: Callable[[], None], reporter: Reporter, rows: int) -> int:
    """Run a Spark action in a job group, reporting its progress and cancelling it when asked;
    returns the number of tasks it ran."""
    from pyspark import InheritableThread

    sc = spark.sparkContext
    group = f"modelport-{uuid.uuid4().hex}"
    failure: list[BaseException] = []

    def target() -> None:
        try:
            sc.setJobGroup(group, "modelport scoring", interruptOnCancel=True)
            action()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            failure.append(exc)

    def tasks() -> tuple[int, int]:
        done = total = 0
        for job_id in tracker.getJobIdsForGroup(group):
            job = tracker.getJobInfo(job_id)
            for stage_id in job.stageIds if job else []:
                stage = tracker.getStageInfo(stage_id)
                if stage is not None:
                    done += stage.numCompletedTasks
                    total += stage.numTasks
        return done, total

    tracker = sc.statusTracker()
    thread = InheritableThread(target=target, daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(1.0)
        done, total = tasks()
        reporter.progress(int(rows * done / total) if total else 0, 0)
        if reporter.cancelled():
            sc.cancelJobGroup(group)
            thread.join(60)
            raise Cancelled()
    _, total = tasks()
    if failure:
        raise failure[0]
    return total


def _part_files(folder: Path) -> list[Path]:
    """Spark's part files, in the order of the rows they hold (by their first row number)."""
    parts = []
    for path in folder.iterdir():
        if path.name.startswith(("_", ".")) or not path.is_file():
            continue
        handle = pq.ParquetFile(path)
        try:
            if handle.metadata.num_rows == 0:
                continue
            first = handle.read_row_group(0, columns=[ROW_COLUMN]).column(0)
            parts.append((int(first[0].as_py()) if len(first) else 0, path))
        finally:
            handle.close()
    return [path for _, path in sorted(parts)]


def _merge(parts: Path, job: BatchJob, plan: _Plan, reporter: Reporter, rows_read: int) -> BatchResult:
    """Stream the part files into the one result file, summarising the predictions on the way."""
    summary = SummaryAccumulator()
    writer = BatchWriter(job.output_path, job.output_format)  # type: ignore[arg-type]
    try:
        for path in _part_files(parts):
            handle = pq.ParquetFile(path)
            try:
                names = [_spark_name("o", j) for j in range(len(plan.outputs))]
                for batch in handle.iter_batches(batch_size=job.chunk_rows, columns=names):
                    _check_cancelled(reporter)
                    frame = batch.to_pandas()
                    frame.columns = plan.outputs
                    writer.write(frame)
                    if len(plan.prediction_columns) == 1:
                        summary.add(frame[plan.prediction_columns[0]])
                    else:
                        summary.add(frame[plan.prediction_columns].to_numpy())
                    reporter.progress(rows_read, writer.rows_written)
            finally:
                handle.close()
        if writer.rows_written != rows_read:
            raise ModelportError(f"Spark scored {writer.rows_written} rows of the input's {rows_read}")
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return BatchResult(rows_read=rows_read, rows_written=writer.rows_written, summary=summary.result())


class SparkEngine(BatchEngine):
    """Scores an execution's input on a Spark session (see the module docstring)."""

    name = "spark"

    def run(self, job: BatchJob, reporter: Reporter) -> BatchResult:
        if job.on_bad_rows != "reject":
            raise InvalidArgument(
                "the spark engine does not skip bad rows (on_bad_rows 'skip'): use the local engine",
                field="on_bad_rows",
            )
        master = str(job.options.get("spark_master") or DEFAULT_MASTER)
        conf = dict(job.options.get("spark_conf") or {})
        session = _Background(master, conf)  # the JVM starts while the input is staged
        folder = Path(tempfile.mkdtemp(prefix=f".{job.output_path.name}.spark-", dir=job.output_path.parent))
        try:
            source, rows_read = _stage_input(job, folder, reporter)
            _check_cancelled(reporter)
            trial, inputs, predictions = _trial(job, source)
            spark = session.get(reporter)
            sc = spark.sparkContext
            reporter.log(
                f"spark: session on {sc.master} ({sc.defaultParallelism} cores), "
                f"ready in {session.seconds:.1f} s"
            )
            _check_cancelled(reporter)
            plan = _Plan(
                model_file=_ship_model(spark, job.model_path),
                flavor=job.flavor,
                schema_json=job.schema.model_dump_json(),
                inputs=inputs,
                outputs=[str(c) for c in trial.columns],
                prediction_columns=predictions,
            )
            parts = folder / "parts"
            started = time.monotonic()
            try:
                spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(job.chunk_rows))
                frame = spark.read.parquet(str(source))
                frame = frame.select(
                    *[frame[_quote(c)].alias(_spark_name("i", i)) for i, c in enumerate(inputs)],
                    frame["_metadata.row_index"].alias(ROW_COLUMN),
                )
                schema = _output_schema(frame.schema, trial, len(inputs))
                scored = frame.mapInPandas(_Scorer(plan), schema)
                tasks = _run_job(spark, lambda: scored.write.parquet(str(parts)), reporter, rows_read)
            except (Cancelled, ModelportError):
                raise
            except Exception as exc:  # noqa: BLE001 - Spark's errors, translated for the user
                raise _translate(exc) from None
            reporter.log(
                f"spark: scored {rows_read} rows in {time.monotonic() - started:.1f} s ({tasks} tasks)"
            )
            _check_cancelled(reporter)
            return _merge(parts, job, plan, reporter, rows_read)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
