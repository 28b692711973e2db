"""Deployment store: deployments of model versions per market, and how an alias resolves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from modelport.db.tables import DeploymentRow, ModelAliasRow, ModelRow, ModelVersionRow, UserRow, utcnow
from modelport.errors import AlreadyExists, NotFound
from modelport.principal import Principal
from modelport.schemas import Deployment, InputSpec, OutputSpec, Page, ScheduleSpec
from modelport.stores.catalog import visible_to


@dataclass(frozen=True)
class ResolvedVersion:
    """What serves a deployment right now."""

    deployment_id: int
    deployment: str
    state: str
    version: int
    sha256: str
    flavor: str
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]


class DueSchedule(BaseModel):
    """A scheduled deployment whose next run time has come."""

    model_config = ConfigDict(frozen=True)

    deployment_id: int
    name: str
    due_at: datetime


DEPLOYMENT_FIELDS = frozenset(
    {
        "version",
        "alias",
        "market",
        "description",
        "params",
        "cron",
        "timezone",
        "next_run_at",
        "input_spec",
        "output_spec",
        "engine",
        "on_bad_rows",
        "state",
    }
)
"""What :meth:`DeploymentStore.update` may change."""


class DeploymentStore:
    """Persistence of deployments: returns :class:`Deployment` objects, never rows. Methods flush; the
    caller commits. ``principal`` None reads as the system (every deployment)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def _visible(self, principal: Principal | None) -> ColumnElement[bool]:
        return visible_to(principal) if principal is not None else ModelRow.id.is_not(None)

    def _row(self, ref: str | int, principal: Principal | None) -> DeploymentRow:
        """A deployment by id or name, if its model is visible to ``principal`` (None: the system)."""
        stmt = select(DeploymentRow).join(ModelRow, ModelRow.id == DeploymentRow.model_id)
        stmt = stmt.where(self._visible(principal))
        key = str(ref)
        stmt = (
            stmt.where(DeploymentRow.id == int(key))
            if key.isdigit() and len(key) <= 9
            else stmt.where(DeploymentRow.name == key)
        )
        row = self.s.scalar(stmt)
        if row is None:
            raise NotFound(f"no deployment {ref!r}")
        return row

    def get(self, ref: str | int, principal: Principal | None) -> Deployment:
        """Returns the deployment ``ref`` (an id or a name); raises NotFound if there is none or
        ``principal`` may not see its model."""
        return self._to_domain(self._row(ref, principal))

    def update(self, deployment_id: int, **values: Any) -> Deployment:
        """Set the given columns (of :data:`DEPLOYMENT_FIELDS`) and ``updated_at``; returns the
        deployment. Raises NotFound if there is none, ValueError for another column."""
        unknown = set(values) - DEPLOYMENT_FIELDS
        if unknown:
            raise ValueError(f"a deployment has no field {sorted(unknown)[0]!r} to update")
        row = self._row(deployment_id, None)
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = utcnow()
        self.s.flush()
        return self._to_domain(row)

    def set_next_run(self, deployment_id: int, next_run_at: datetime, *, if_due_at: datetime) -> bool:
        """Move a schedule's next run time to ``next_run_at`` if it is still scheduled and due at
        ``if_due_at`` (else a user changed it meanwhile); ``updated_at`` stays. Returns whether it
        moved; raises NotFound if the deployment is gone."""
        row = self._row(deployment_id, None)
        if row.next_run_at != if_due_at or not row.cron:
            return False
        row.next_run_at = next_run_at
        self.s.flush()
        return True

    def delete(self, deployment_id: int) -> None:
        """Delete a deployment (its executions go with it). Returns None; raises NotFound if there is
        none."""
        self.s.delete(self._row(deployment_id, None))
        self.s.flush()

    def create(self, **fields: Any) -> Deployment:
        """Insert a deployment (``fields``: its columns); returns it. Raises AlreadyExists if the name
        is taken."""
        if self.s.scalar(select(DeploymentRow.id).where(DeploymentRow.name == fields["name"])) is not None:
            raise AlreadyExists(f"a deployment named {fields['name']!r} already exists", field="name")
        row = DeploymentRow(**fields)
        self.s.add(row)
        self.s.flush()
        return self._to_domain(row)

    def list_deployments(
        self,
        principal: Principal,
        page: int,
        page_size: int,
        *,
        model: str | None = None,
        market: str | None = None,
        state: str | None = None,
        scheduled: bool | None = None,
    ) -> Page[Deployment]:
        """Returns one page of the deployments ``principal`` may see, by name, filtered by the arguments
        given. Raises nothing."""
        stmt = (
            select(DeploymentRow)
            .join(ModelRow, ModelRow.id == DeploymentRow.model_id)
            .where(visible_to(principal))
        )
        if model:
            stmt = stmt.where(ModelRow.name == model)
        if market:
            stmt = stmt.where(DeploymentRow.market == market)
        if state:
            stmt = stmt.where(DeploymentRow.state == state)
        if scheduled is not None:
            stmt = stmt.where(DeploymentRow.cron.is_not(None) if scheduled else DeploymentRow.cron.is_(None))
        total = self.s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = self.s.scalars(
            stmt.order_by(DeploymentRow.name).offset((page - 1) * page_size).limit(page_size)
        )
        return Page(items=[self._to_domain(r) for r in rows], total=total, page=page, page_size=page_size)

    def _version_row(self, row: DeploymentRow) -> ModelVersionRow | None:
        """The version a deployment serves now: its fixed version, or where its alias points."""
        if row.alias:
            stmt = (
                select(ModelVersionRow)
                .join(ModelAliasRow, ModelAliasRow.version_id == ModelVersionRow.id)
                .where(ModelAliasRow.model_id == row.model_id, ModelAliasRow.alias == row.alias)
            )
        else:
            stmt = select(ModelVersionRow).where(
                ModelVersionRow.model_id == row.model_id, ModelVersionRow.version == row.version
            )
        return self.s.scalar(stmt)

    def resolve(self, ref: str | int, principal: Principal | None) -> ResolvedVersion:
        """Returns the version serving deployment ``ref`` now; raises NotFound as :meth:`get`, and when
        its alias points nowhere (or its version was deleted)."""
        row = self._row(ref, principal)
        version = self._version_row(row)
        if version is None:
            what = f"alias {row.alias!r}" if row.alias else f"version {row.version}"
            raise NotFound(f"deployment {row.name!r} follows {what}, which does not exist")
        return ResolvedVersion(
            deployment_id=row.id,
            deployment=row.name,
            state=row.state,
            version=version.version,
            sha256=version.artifact_sha256,
            flavor=version.flavor,
            input_schema=version.input_schema,
            output_schema=version.output_schema,
        )

    def due(self, now: datetime, limit: int = 100) -> list[DueSchedule]:
        """Returns the active scheduled deployments whose next run time has come by ``now``, the most
        overdue first (at most ``limit``). Raises nothing."""
        stmt = (
            select(DeploymentRow)
            .where(
                DeploymentRow.state == "active",
                DeploymentRow.cron.is_not(None),
                DeploymentRow.next_run_at <= now,
            )
            .order_by(DeploymentRow.next_run_at)
            .limit(limit)
        )
        return [
            DueSchedule(deployment_id=r.id, name=r.name, due_at=r.next_run_at)
            for r in self.s.scalars(stmt)
            if r.next_run_at is not None
        ]

    def _to_domain(self, row: DeploymentRow) -> Deployment:
        model = self.s.get(ModelRow, row.model_id)
        owner = self.s.scalar(select(UserRow.username).where(UserRow.id == row.owner_id)) or ""
        version = self._version_row(row)
        return Deployment(
            id=row.id,
            name=row.name,
            model=model.name if model else "",
            model_title=model.title if model else "",
            version=row.version,
            alias=row.alias,
            resolved_version=version.version if version else None,
            market=row.market,
            description=row.description,
            owner=owner,
            params=row.params,
            schedule=ScheduleSpec(cron=row.cron, timezone=row.timezone) if row.cron else None,
            input=InputSpec.model_validate(row.input_spec),
            output=OutputSpec.model_validate(row.output_spec),
            engine=row.engine,
            on_bad_rows=row.on_bad_rows,
            state=row.state,
            next_run_at=row.next_run_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
