"""Dataset store: named datasets and their versions (the file as uploaded, its parsed rows as Parquet,
the parse report, the profile and the recorded cleaning steps).

Visibility is the models' rule, applied in SQL on every read: a ``company`` dataset is seen by everyone,
a ``restricted`` one by its owner, the members of the owner's department and admins. A dataset the caller
may not see is reported as not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from modelport.db.tables import DatasetRow, DatasetVersionRow, ExecutionRow, UserRow, utcnow
from modelport.errors import AlreadyExists, InvalidArgument, NotFound
from modelport.principal import Principal
from modelport.schemas import Dataset, DatasetProfile, DatasetSummary, Page
from modelport.stores.dialect import search_terms
from modelport.stores.users import usernames


def dataset_visible_to(principal: Principal) -> ColumnElement[bool]:
    """SQL filter of the datasets ``principal`` may see (on :class:`DatasetRow`)."""
    if principal.is_admin:
        return true()
    clauses: list[ColumnElement[bool]] = [
        DatasetRow.visibility == "company",
        DatasetRow.owner_id == principal.user_id,
    ]
    if principal.department:
        clauses.append(
            DatasetRow.owner_id.in_(select(UserRow.id).where(UserRow.department == principal.department))
        )
    return or_(*clauses)


@dataclass(frozen=True)
class DatasetRecord:
    """Who a dataset belongs to, for the rules of the services."""

    id: int
    name: str
    owner_id: int
    owner_department: str | None
    visibility: str
    latest_version: int


@dataclass(frozen=True)
class VersionFiles:
    """Where a dataset version's content lives, for the worker and the training service."""

    version_id: int
    dataset_id: int
    name: str
    version: int
    sha256: str
    data_sha256: str
    columns: list[str]


def _version_number(version: int | str | None) -> int | None:
    """None for the latest; else the number (``"3"`` or 3). InvalidArgument for anything else."""
    if version is None or version == "latest":
        return None
    if isinstance(version, int):
        return version
    if version.isdigit() and len(version) <= 9:
        return int(version)
    raise InvalidArgument(f"{version!r} is not a version: a number or 'latest'", field="version")


class DatasetStore:
    """Persistence of datasets: returns :class:`Dataset` objects, never rows. Methods flush; the
    caller's session commits."""

    def __init__(self, session: Session) -> None:
        self.s = session

    # --- records ---------------------------------------------------------------------------------

    def record(self, name: str, principal: Principal | None) -> DatasetRecord:
        """Returns the owner and state of dataset ``name``; raises NotFound if there is none or
        ``principal`` may not see it (None: the system sees every one)."""
        stmt = (
            select(DatasetRow, UserRow.department)
            .join(UserRow, UserRow.id == DatasetRow.owner_id)
            .where(DatasetRow.name == name)
        )
        if principal is not None:
            stmt = stmt.where(dataset_visible_to(principal))
        found = self.s.execute(stmt).first()
        if found is None:
            raise NotFound(f"no dataset named {name!r}", field="dataset")
        row, department = found
        return DatasetRecord(row.id, row.name, row.owner_id, department, row.visibility, row.latest_version)

    def name_taken(self, name: str) -> bool:
        """Returns whether a dataset named ``name`` exists, whoever may see it. Raises nothing."""
        return self.s.scalar(select(DatasetRow.id).where(DatasetRow.name == name)) is not None

    def create_dataset(
        self, name: str, owner_id: int, description: str = "", visibility: str = "company"
    ) -> int:
        """Insert an empty dataset (no version yet); returns its id. Raises AlreadyExists if the name is
        taken."""
        now = utcnow()
        row = DatasetRow(
            name=name,
            description=description,
            visibility=visibility,
            owner_id=owner_id,
            latest_version=0,
            created_at=now,
            updated_at=now,
        )
        try:
            with self.s.begin_nested():
                self.s.add(row)
                self.s.flush()
        except IntegrityError as exc:
            raise AlreadyExists(f"a dataset named {name!r} already exists", field="name") from exc
        return row.id

    def add_version(self, dataset_id: int, created_by_id: int, **fields: Any) -> Dataset:
        """Insert the next version of dataset ``dataset_id`` with ``fields`` (sha256, data_sha256,
        filename, format, size, rows, columns, preview, source, parse_report, steps); returns it. Raises
        NotFound for an unknown dataset, AlreadyExists when another transaction inserted that version
        first (retry)."""
        dataset = self.s.get(DatasetRow, dataset_id)
        if dataset is None:
            raise NotFound(f"no dataset {dataset_id}", field="dataset")
        number = dataset.latest_version + 1
        row = DatasetVersionRow(dataset_id=dataset_id, version=number, created_by_id=created_by_id, **fields)
        try:
            with self.s.begin_nested():
                self.s.add(row)
                self.s.flush()
        except IntegrityError as exc:
            raise AlreadyExists(
                f"version {number} of dataset {dataset.name!r} was just created by someone else; retry"
            ) from exc
        dataset.latest_version = number
        dataset.updated_at = utcnow()
        self.s.flush()
        return self._to_domain([(row, dataset)])[0]

    # --- reads -----------------------------------------------------------------------------------

    def _version_row(
        self, name: str, version: int | str | None, principal: Principal | None
    ) -> tuple[DatasetVersionRow, DatasetRow]:
        number = _version_number(version)
        stmt = (
            select(DatasetVersionRow, DatasetRow)
            .join(DatasetRow, DatasetRow.id == DatasetVersionRow.dataset_id)
            .where(DatasetRow.name == name)
        )
        if principal is not None:
            stmt = stmt.where(dataset_visible_to(principal))
        if number is None:
            stmt = stmt.where(DatasetVersionRow.version == DatasetRow.latest_version)
        else:
            stmt = stmt.where(DatasetVersionRow.version == number)
        found = self.s.execute(stmt).tuples().first()
        if found is None:
            if number is not None and self.s.scalar(
                select(DatasetRow.id).where(
                    DatasetRow.name == name, dataset_visible_to(principal) if principal else true()
                )
            ):
                raise NotFound(f"dataset {name!r} has no version {number}", field="version")
            raise NotFound(f"no dataset named {name!r}", field="dataset")
        return found

    def get(self, name: str, version: int | str | None, principal: Principal | None) -> Dataset:
        """Returns dataset ``name`` at ``version`` (a number, ``"latest"`` or None for the latest);
        raises NotFound if the dataset or that version is not there or ``principal`` may not see it
        (None: the system), InvalidArgument for a version that is not a number."""
        return self._to_domain([self._version_row(name, version, principal)])[0]

    def files(self, name: str, version: int | str | None, principal: Principal | None) -> VersionFiles:
        """Returns where the content of ``name`` at ``version`` lives; raises NotFound and
        InvalidArgument as :meth:`get`."""
        row, dataset = self._version_row(name, version, principal)
        return self._files(row, dataset)

    def files_by_id(self, version_id: int) -> VersionFiles:
        """Returns where the content of dataset version ``version_id`` lives (the worker's read);
        raises NotFound if it is gone."""
        found = self.s.execute(
            select(DatasetVersionRow, DatasetRow)
            .join(DatasetRow, DatasetRow.id == DatasetVersionRow.dataset_id)
            .where(DatasetVersionRow.id == version_id)
        ).first()
        if found is None:
            raise NotFound(f"no dataset version {version_id}", field="dataset")
        return self._files(found[0], found[1])

    @staticmethod
    def _files(row: DatasetVersionRow, dataset: DatasetRow) -> VersionFiles:
        return VersionFiles(
            version_id=row.id,
            dataset_id=dataset.id,
            name=dataset.name,
            version=row.version,
            sha256=row.sha256,
            data_sha256=row.data_sha256,
            columns=[str(c) for c in row.columns or []],
        )

    def list_datasets(
        self, principal: Principal, page: int, page_size: int, q: str | None = None
    ) -> Page[DatasetSummary]:
        """Returns one page of the datasets ``principal`` may see, most recently changed first, whose
        name or description holds every word of ``q``. Raises nothing."""
        stmt = (
            select(DatasetRow, DatasetVersionRow)
            .join(
                DatasetVersionRow,
                (DatasetVersionRow.dataset_id == DatasetRow.id)
                & (DatasetVersionRow.version == DatasetRow.latest_version),
            )
            .where(dataset_visible_to(principal))
        )
        for term in search_terms(q or ""):
            stmt = stmt.where(
                or_(
                    func.lower(DatasetRow.name).contains(term, autoescape=True),
                    func.lower(DatasetRow.description).contains(term, autoescape=True),
                )
            )
        total = self.s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = list(
            self.s.execute(
                stmt.order_by(DatasetRow.updated_at.desc(), DatasetRow.id.desc())
                .offset((page - 1) * page_size)
                .limit(page_size)
            ).tuples()
        )
        owners = usernames(self.s, (d.owner_id for d, _ in rows))
        items = [
            DatasetSummary(
                id=d.id,
                name=d.name,
                description=d.description,
                visibility=d.visibility,
                owner=owners.get(d.owner_id, ""),
                latest_version=d.latest_version,
                filename=v.filename,
                rows=v.rows,
                columns=len(v.columns or []),
                updated_at=d.updated_at,
            )
            for d, v in rows
        ]
        return Page(items=items, total=total, page=page, page_size=page_size)

    # --- changes ---------------------------------------------------------------------------------

    def update(self, name: str, values: dict[str, Any], principal: Principal | None) -> Dataset:
        """Change ``description`` and/or ``visibility`` of dataset ``name``; returns its latest version.
        Raises NotFound as :meth:`get`, InvalidArgument for another field."""
        unknown = set(values) - {"description", "visibility"}
        if unknown:
            raise InvalidArgument(f"cannot change {sorted(unknown)}", field=sorted(unknown)[0])
        record = self.record(name, principal)
        row = self.s.get(DatasetRow, record.id)
        assert row is not None
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = utcnow()
        self.s.flush()
        return self.get(name, None, None)

    def delete(self, name: str, principal: Principal | None) -> list[str]:
        """Delete dataset ``name`` with its versions, and the profiles and trainings that read them;
        returns the sha256 of the files its versions referenced. Raises NotFound as :meth:`get`."""
        record = self.record(name, principal)
        versions = list(
            self.s.execute(
                select(DatasetVersionRow.sha256, DatasetVersionRow.data_sha256).where(
                    DatasetVersionRow.dataset_id == record.id
                )
            ).tuples()
        )
        version_ids = select(DatasetVersionRow.id).where(DatasetVersionRow.dataset_id == record.id)
        # Executions cascade to their logs and trainings; delete them first so SQLite and PostgreSQL
        # need not rely on a second level of cascades.
        self.s.execute(delete(ExecutionRow).where(ExecutionRow.dataset_version_id.in_(version_ids)))
        self.s.execute(delete(DatasetVersionRow).where(DatasetVersionRow.dataset_id == record.id))
        self.s.execute(delete(DatasetRow).where(DatasetRow.id == record.id))
        self.s.flush()
        return sorted({sha for pair in versions for sha in pair})

    def busy(self, name: str) -> list[int]:
        """Returns the ids of the queued or running executions (profiles, trainings) that read a version
        of dataset ``name`` (none for an unknown one). Raises nothing."""
        return list(
            self.s.scalars(
                select(ExecutionRow.id)
                .join(DatasetVersionRow, DatasetVersionRow.id == ExecutionRow.dataset_version_id)
                .join(DatasetRow, DatasetRow.id == DatasetVersionRow.dataset_id)
                .where(DatasetRow.name == name, ExecutionRow.status.in_(("queued", "running")))
                .order_by(ExecutionRow.id)
            )
        )

    def sha_in_use(self, sha256: str) -> bool:
        """Returns whether a dataset version uses the file ``sha256`` (as its upload or its Parquet).
        Raises nothing."""
        return (
            self.s.scalar(
                select(func.count()).where(
                    or_(DatasetVersionRow.sha256 == sha256, DatasetVersionRow.data_sha256 == sha256)
                )
            )
            != 0
        )

    def set_profile_execution(self, version_id: int, execution_id: int) -> None:
        """Record the execution computing the profile of version ``version_id``. Returns None; raises
        NotFound if the version is gone."""
        row = self._by_id(version_id)
        row.profile_execution_id = execution_id
        self.s.flush()

    def set_profile(self, version_id: int, profile: DatasetProfile) -> None:
        """Store the profile of version ``version_id``. Returns None; raises NotFound if it is gone."""
        row = self._by_id(version_id)
        row.profile = profile.model_dump(mode="json")
        self.s.flush()

    def set_steps(self, version_id: int, steps: list[dict[str, Any]]) -> None:
        """Replace the cleaning steps recorded on version ``version_id``. Returns None; raises NotFound
        if it is gone."""
        row = self._by_id(version_id)
        row.steps = steps
        dataset = self.s.get(DatasetRow, row.dataset_id)
        if dataset is not None:
            dataset.updated_at = utcnow()
        self.s.flush()

    def _by_id(self, version_id: int) -> DatasetVersionRow:
        row = self.s.get(DatasetVersionRow, version_id)
        if row is None:
            raise NotFound(f"no dataset version {version_id}", field="dataset")
        return row

    # --- conversion ------------------------------------------------------------------------------

    def _to_domain(self, pairs: list[tuple[DatasetVersionRow, DatasetRow]]) -> list[Dataset]:
        users = usernames(self.s, [d.owner_id for _, d in pairs] + [v.created_by_id for v, _ in pairs])
        return [
            Dataset.model_validate(
                {
                    "id": d.id,
                    "name": d.name,
                    "description": d.description,
                    "visibility": d.visibility,
                    "owner": users.get(d.owner_id, ""),
                    "version": v.version,
                    "latest_version": d.latest_version,
                    "sha256": v.sha256,
                    "filename": v.filename,
                    "format": v.format,
                    "size": v.size,
                    "rows": v.rows,
                    "columns": v.columns or [],
                    "preview": v.preview or [],
                    "source": v.source or {"kind": "upload"},
                    "parse_report": v.parse_report or None,
                    "profile": v.profile,
                    "profile_execution": v.profile_execution_id,
                    "steps": v.steps or [],
                    "created_by": users.get(v.created_by_id),
                    "created_at": v.created_at,
                    "updated_at": d.updated_at,
                }
            )
            for v, d in pairs
        ]
