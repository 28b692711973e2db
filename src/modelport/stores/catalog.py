"""Catalog store: models, their versions, aliases, labels and search.

Every read takes the caller's :class:`Principal` and applies the visibility rule in SQL, so
search, reads and downloads cannot disagree: a ``restricted`` model is seen by its owner, the
members of its department and admins only. A model the caller may not see is reported as not found.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from modelport.columns import ModelSchema
from modelport.db.tables import (
    DeploymentRow,
    ModelAliasRow,
    ModelLabelRow,
    ModelRow,
    ModelVersionRow,
    UserRow,
    utcnow,
)
from modelport.errors import AlreadyExists, InvalidArgument, NotFound
from modelport.principal import Principal
from modelport.schemas import (
    Artifact,
    FacetCount,
    Lineage,
    Model,
    ModelCreate,
    ModelSearch,
    ModelUpdate,
    ModelVersion,
    ReferenceData,
    SearchQuery,
)
from modelport.stores.dialect import relevance, search_terms, text_match
from modelport.stores.users import usernames

FACET_KINDS = ("department", "market", "brand", "flavor", "owner", "tag")


def visible_to(principal: Principal) -> ColumnElement[bool]:
    """SQL filter of the models ``principal`` may see."""
    if principal.is_admin:
        return true()
    clauses: list[ColumnElement[bool]] = [
        ModelRow.visibility == "company",
        ModelRow.owner_id == principal.user_id,
    ]
    if principal.department:
        clauses.append(ModelRow.department == principal.department)
    return or_(*clauses)


def _search_text(row: ModelRow) -> str:
    parts = [row.name, row.name.replace("-", " "), row.title, row.use_case or "", " ".join(row.tags or [])]
    parts += [
        " ".join(row.markets or []),
        " ".join(row.brands or []),
        row.department,
        row.description[:20_000],
    ]
    return " ".join(parts).lower()


class CatalogStore:
    """Persistence of the catalog: returns :class:`Model` and :class:`ModelVersion` objects, never rows.
    Methods flush; the caller's session commits."""

    def __init__(self, session: Session) -> None:
        self.s = session

    # --- models ----------------------------------------------------------------------------------

    def create_model(self, data: ModelCreate, owner_id: int) -> Model:
        """Insert a model; returns it. Raises AlreadyExists if the name is taken."""
        if self.s.scalar(select(ModelRow.id).where(ModelRow.name == data.name)) is not None:
            raise AlreadyExists(f"a model named {data.name!r} already exists", field="name")
        now = utcnow()
        row = ModelRow(
            name=data.name,
            title=data.title,
            description=data.description,
            department=data.department,
            markets=data.markets,
            brands=data.brands,
            tags=data.tags,
            use_case=data.use_case,
            visibility=data.visibility,
            owner_id=owner_id,
            created_at=now,
            updated_at=now,
        )
        row.search_text = _search_text(row)
        self.s.add(row)
        try:
            self.s.flush()
        except IntegrityError as exc:
            raise AlreadyExists(f"a model named {data.name!r} already exists", field="name") from exc
        self._sync_labels(row)
        return self._to_model(row)

    def _row(self, name: str, principal: Principal) -> ModelRow:
        row = self.s.scalar(select(ModelRow).where(ModelRow.name == name, visible_to(principal)))
        if row is None:
            raise NotFound(f"no model named {name!r}")
        return row

    def get_model(self, name: str, principal: Principal) -> Model:
        """Returns the model ``name``; raises NotFound if there is none or ``principal`` may not see it."""
        return self._to_model(self._row(name, principal))

    def model_owner_id(self, name: str, principal: Principal) -> int:
        """Returns the user id of the owner of model ``name``; raises NotFound as :meth:`get_model`."""
        return self._row(name, principal).owner_id

    def update_model(self, name: str, data: ModelUpdate, principal: Principal) -> Model:
        """Change the fields given in ``data``; returns the model. Raises NotFound as :meth:`get_model`,
        InvalidArgument for an unknown owner or an emptied required field."""
        row = self._row(name, principal)
        values = data.model_dump(exclude_unset=True)
        owner = values.pop("owner", None)
        if owner is not None:
            owner_id = self.s.scalar(select(UserRow.id).where(UserRow.username == owner))
            if owner_id is None:
                raise InvalidArgument(f"no user named {owner!r}", field="owner")
            row.owner_id = owner_id
        for key, value in values.items():
            if value is None and key in ("title", "department", "visibility", "description"):
                raise InvalidArgument(f"{key} cannot be empty", field=key)
            setattr(
                row,
                key,
                value if value is not None else ([] if key in ("markets", "brands", "tags") else None),
            )
        row.updated_at = utcnow()
        row.search_text = _search_text(row)
        self.s.flush()
        self._sync_labels(row)
        return self._to_model(row)

    def delete_model(self, name: str, principal: Principal) -> list[str]:
        """Delete a model and its versions; returns the sha256 of the artifacts it referenced. Raises
        NotFound as :meth:`get_model`."""
        row = self._row(name, principal)
        shas = list(
            self.s.scalars(select(ModelVersionRow.artifact_sha256).where(ModelVersionRow.model_id == row.id))
        )
        self.s.execute(delete(ModelAliasRow).where(ModelAliasRow.model_id == row.id))
        self.s.execute(delete(ModelVersionRow).where(ModelVersionRow.model_id == row.id))
        self.s.execute(delete(ModelLabelRow).where(ModelLabelRow.model_id == row.id))
        self.s.delete(row)
        self.s.flush()
        return shas

    def set_archived(self, name: str, archived: bool, principal: Principal) -> Model:
        """Archive ``name`` (hidden from search unless asked for, not deployable) or restore it; returns
        the model. Archiving an archived model keeps its first archive time. Raises NotFound as
        :meth:`get_model`."""
        row = self._row(name, principal)
        if archived and row.archived_at is None:
            row.archived_at = utcnow()
        elif not archived:
            row.archived_at = None
        self.s.flush()
        return self._to_model(row)

    def deployments_of(self, name: str, principal: Principal) -> list[str]:
        """Returns the names of the deployments of model ``name`` (whoever owns them), sorted. Raises
        NotFound as :meth:`get_model`."""
        row = self._row(name, principal)
        return list(
            self.s.scalars(
                select(DeploymentRow.name)
                .where(DeploymentRow.model_id == row.id)
                .order_by(DeploymentRow.name)
            )
        )

    def sha_in_use(self, sha256: str) -> bool:
        """Returns whether a version (of any model) uses the artifact ``sha256``. Raises nothing."""
        return self.s.scalar(select(func.count()).where(ModelVersionRow.artifact_sha256 == sha256)) != 0

    def count_models(self) -> int:
        """Returns the number of models, whoever may see them (for the demo loader). Raises nothing."""
        return self.s.scalar(select(func.count()).select_from(ModelRow)) or 0

    def model_names(self) -> list[str]:
        """Returns the names of all models, whoever may see them, sorted. Raises nothing."""
        return list(self.s.scalars(select(ModelRow.name).order_by(ModelRow.name)))

    def _sync_labels(self, row: ModelRow) -> None:
        owner = self.s.scalar(select(UserRow.username).where(UserRow.id == row.owner_id)) or ""
        flavors = self.s.scalars(
            select(ModelVersionRow.flavor).where(ModelVersionRow.model_id == row.id).distinct()
        )
        wanted = {("department", row.department), ("owner", owner)}
        wanted |= {("market", m) for m in row.markets or []}
        wanted |= {("brand", b) for b in row.brands or []}
        wanted |= {("tag", t) for t in row.tags or []}
        wanted |= {("flavor", f) for f in flavors}
        have = {
            (lbl.kind, lbl.value)
            for lbl in self.s.scalars(select(ModelLabelRow).where(ModelLabelRow.model_id == row.id))
        }
        for kind, value in have - wanted:
            self.s.execute(
                delete(ModelLabelRow).where(
                    ModelLabelRow.model_id == row.id, ModelLabelRow.kind == kind, ModelLabelRow.value == value
                )
            )
        for kind, value in wanted - have:
            self.s.add(ModelLabelRow(model_id=row.id, kind=kind, value=value))
        self.s.flush()

    # --- search ----------------------------------------------------------------------------------

    def search(self, query: SearchQuery, principal: Principal) -> ModelSearch:
        """Full-text search with filters, sorting, pagination and facet counts over the models
        ``principal`` may see; returns one page with the total. Raises nothing."""
        dialect = self.s.get_bind().dialect.name
        terms = search_terms(query.q or "")
        filters: list[ColumnElement[bool]] = [visible_to(principal), text_match(dialect, terms)]
        if query.state != "all":
            archived = ModelRow.archived_at.is_not(None)
            filters.append(archived if query.state == "archived" else ModelRow.archived_at.is_(None))
        for kind in FACET_KINDS:
            values = getattr(query, kind)
            if kind == "market":
                values = [v.upper() for v in values]
            if values:
                filters.append(
                    ModelRow.id.in_(
                        select(ModelLabelRow.model_id).where(
                            ModelLabelRow.kind == kind, ModelLabelRow.value.in_(values)
                        )
                    )
                )
        ids = select(ModelRow.id).where(*filters)
        total = self.s.scalar(select(func.count()).select_from(ids.subquery())) or 0
        stmt = select(ModelRow).where(*filters)
        orders: dict[str, list[Any]] = {
            "name": [ModelRow.name.asc()],
            "-name": [ModelRow.name.desc()],
            "updated": [ModelRow.updated_at.asc()],
            "-updated": [ModelRow.updated_at.desc()],
            "created": [ModelRow.created_at.asc()],
            "-created": [ModelRow.created_at.desc()],
        }
        order = orders.get(query.sort)
        if order is None:  # relevance
            order = [relevance(dialect, terms).desc(), ModelRow.updated_at.desc()]
        stmt = stmt.order_by(*order, ModelRow.id.desc())
        stmt = stmt.offset((query.page - 1) * query.page_size).limit(query.page_size)
        rows = list(self.s.scalars(stmt))
        facet_rows: list[Any] = []
        if query.facets:  # the web app asks for them on page 1 only: they cost more than the page
            facet_stmt = select(ModelLabelRow.kind, ModelLabelRow.value, func.count())
            # An admin's unfiltered search counts every label without the subquery.
            unfiltered = len(filters) == (2 if query.state == "all" else 3)
            if not (principal.is_admin and unfiltered and not terms and not self._any_archived(query)):
                facet_stmt = facet_stmt.where(ModelLabelRow.model_id.in_(ids))
            facet_rows = list(self.s.execute(facet_stmt.group_by(ModelLabelRow.kind, ModelLabelRow.value)))
        facets: dict[str, list[FacetCount]] = {k: [] for k in FACET_KINDS}
        for kind, value, count in facet_rows:
            facets[kind].append(FacetCount(value=value, count=count))
        for values in facets.values():
            values.sort(key=lambda f: (-f.count, f.value))
        return ModelSearch(
            items=self._to_models(rows),
            total=total,
            page=query.page,
            page_size=query.page_size,
            facets=facets,
        )

    def _any_archived(self, query: SearchQuery) -> bool:
        """Whether the state filter leaves some models out (then the labels must be filtered too)."""
        if query.state == "all":
            return False
        column = (
            ModelRow.archived_at.is_not(None) if query.state == "active" else ModelRow.archived_at.is_(None)
        )
        return self.s.scalar(select(ModelRow.id).where(column).limit(1)) is not None

    # --- versions --------------------------------------------------------------------------------

    def next_version(self, name: str, principal: Principal) -> int:
        """Returns the number the next version of ``name`` will get; raises NotFound as :meth:`get_model`."""
        return self._row(name, principal).latest_version + 1

    def create_version(self, name: str, principal: Principal, **fields: Any) -> ModelVersion:
        """Insert the next version of ``name``; returns it. Raises NotFound as :meth:`get_model`,
        AlreadyExists when another transaction inserted that version first (retry)."""
        row = self._row(name, principal)
        number = row.latest_version + 1
        version = ModelVersionRow(model_id=row.id, version=number, created_by_id=principal.user_id, **fields)
        self.s.add(version)
        try:
            self.s.flush()
        except IntegrityError as exc:
            raise AlreadyExists(
                f"version {number} of {name!r} was just created by someone else; retry"
            ) from exc
        row.latest_version = number
        row.version_count = row.version_count + 1
        row.updated_at = utcnow()
        self.s.flush()
        self._sync_labels(row)
        return self._to_versions(name, [version])[0]

    def list_versions(self, name: str, principal: Principal) -> list[ModelVersion]:
        """Returns the versions of ``name``, newest first; raises NotFound as :meth:`get_model`."""
        row = self._row(name, principal)
        versions = self.s.scalars(
            select(ModelVersionRow)
            .where(ModelVersionRow.model_id == row.id)
            .order_by(ModelVersionRow.version.desc())
        )
        return self._to_versions(name, list(versions))

    def get_version(self, name: str, ref: str, principal: Principal) -> ModelVersion:
        """Returns a version by number (``"3"``), alias (``"champion"``) or ``"latest"``; raises NotFound
        if the model or that version is not there (or ``principal`` may not see the model)."""
        return self._to_versions(name, [self._version_row(name, ref, principal)])[0]

    def set_input_schema(
        self, name: str, ref: str, schema: dict[str, Any], principal: Principal
    ) -> ModelVersion:
        """Replace the input schema of version ``ref`` (number, alias or ``latest``) of ``name``;
        returns the version. Raises NotFound as :meth:`get_version`."""
        version = self._version_row(name, ref, principal)
        version.input_schema = schema
        self.s.flush()
        return self._to_versions(name, [version])[0]

    def set_lineage(
        self,
        name: str,
        version: int,
        lineage: Lineage,
        reference: ReferenceData | None,
        principal: Principal,
    ) -> ModelVersion:
        """Record where version ``version`` of ``name`` came from (its dataset and training) and the
        reference data of its training rows; returns the version. Raises NotFound as :meth:`get_version`."""
        row = self._version_row(name, str(version), principal)
        row.lineage = lineage.model_dump(mode="json")
        row.reference = reference.model_dump(mode="json") if reference is not None else {}
        self.s.flush()
        return self._to_versions(name, [row])[0]

    def _version_row(self, name: str, ref: str, principal: Principal) -> ModelVersionRow:
        row = self._row(name, principal)
        stmt = select(ModelVersionRow).where(ModelVersionRow.model_id == row.id)
        if ref == "latest":
            stmt = stmt.where(ModelVersionRow.version == row.latest_version)
        elif ref.isdigit() and len(ref) <= 9:
            stmt = stmt.where(ModelVersionRow.version == int(ref))
        else:
            stmt = stmt.join(ModelAliasRow, ModelAliasRow.version_id == ModelVersionRow.id).where(
                ModelAliasRow.model_id == row.id, ModelAliasRow.alias == ref
            )
        version = self.s.scalar(stmt)
        if version is None:
            raise NotFound(f"model {name!r} has no version or alias {ref!r}")
        return version

    def set_alias(self, name: str, alias: str, version: int, principal: Principal) -> int | None:
        """Point ``alias`` at ``version``; returns the version it pointed at before (or None). Raises
        NotFound if the model or the version is not there."""
        row = self._row(name, principal)
        target = self.s.scalar(
            select(ModelVersionRow.id).where(
                ModelVersionRow.model_id == row.id, ModelVersionRow.version == version
            )
        )
        if target is None:
            raise NotFound(f"model {name!r} has no version {version}")
        current = self.s.get(ModelAliasRow, (row.id, alias))
        previous: int | None = None
        if current is None:
            self.s.add(ModelAliasRow(model_id=row.id, alias=alias, version_id=target))
        else:
            previous = self.s.scalar(
                select(ModelVersionRow.version).where(ModelVersionRow.id == current.version_id)
            )
            current.version_id = target
            current.updated_at = utcnow()
        self.s.flush()
        return previous

    def delete_alias(self, name: str, alias: str, principal: Principal) -> None:
        """Remove ``alias`` from model ``name``. Returns None; raises NotFound if the model or the alias
        is not there."""
        row = self._row(name, principal)
        current = self.s.get(ModelAliasRow, (row.id, alias))
        if current is None:
            raise NotFound(f"model {name!r} has no alias {alias!r}")
        self.s.delete(current)
        self.s.flush()

    # --- conversion ------------------------------------------------------------------------------

    def _to_model(self, row: ModelRow) -> Model:
        return self._to_models([row])[0]

    def _to_models(self, rows: list[ModelRow]) -> list[Model]:
        if not rows:
            return []
        ids = [r.id for r in rows]
        owners = usernames(self.s, (r.owner_id for r in rows))
        flavors: dict[int, list[str]] = {i: [] for i in ids}
        for mid, value in self.s.execute(
            select(ModelLabelRow.model_id, ModelLabelRow.value).where(
                ModelLabelRow.model_id.in_(ids), ModelLabelRow.kind == "flavor"
            )
        ):
            flavors[mid].append(value)
        aliases: dict[int, dict[str, int]] = {i: {} for i in ids}
        for mid, alias, number in self.s.execute(
            select(ModelAliasRow.model_id, ModelAliasRow.alias, ModelVersionRow.version)
            .join(ModelVersionRow, ModelVersionRow.id == ModelAliasRow.version_id)
            .where(ModelAliasRow.model_id.in_(ids))
        ):
            aliases[mid][alias] = number
        return [
            Model(
                id=r.id,
                name=r.name,
                title=r.title,
                description=r.description,
                department=r.department,
                markets=list(r.markets or []),
                brands=list(r.brands or []),
                use_case=r.use_case,
                tags=list(r.tags or []),
                visibility=r.visibility,
                owner=owners.get(r.owner_id, ""),
                latest_version=r.latest_version,
                version_count=r.version_count,
                flavors=sorted(flavors[r.id]),
                aliases=aliases[r.id],
                created_at=r.created_at,
                updated_at=r.updated_at,
                state="archived" if r.archived_at is not None else "active",
                archived_at=r.archived_at,
            )
            for r in rows
        ]

    def _to_versions(self, name: str, rows: list[ModelVersionRow]) -> list[ModelVersion]:
        if not rows:
            return []
        users = usernames(self.s, (r.created_by_id for r in rows))
        aliases: dict[int, list[str]] = {r.id: [] for r in rows}
        for vid, alias in self.s.execute(
            select(ModelAliasRow.version_id, ModelAliasRow.alias).where(ModelAliasRow.version_id.in_(aliases))
        ):
            aliases[vid].append(alias)
        return [
            ModelVersion(
                id=r.id,
                model=name,
                version=r.version,
                description=r.description,
                flavor=r.flavor,
                format=r.format,
                safe_format=r.safe_format,
                model_type=r.model_type,
                filename=r.filename,
                artifact=Artifact(uri=r.artifact_uri, sha256=r.artifact_sha256, size=r.artifact_size),
                input_schema=ModelSchema.model_validate(r.input_schema),
                output_schema=ModelSchema.model_validate(r.output_schema),
                example=r.example,
                metrics=r.metrics,
                params=r.params,
                training_data=r.training_data,
                source_version=r.source_version,
                created_by=users.get(r.created_by_id, ""),
                created_at=r.created_at,
                aliases=sorted(aliases[r.id]),
                lineage=Lineage.model_validate(r.lineage) if r.lineage else None,
                reference=ReferenceData.model_validate(r.reference) if r.reference else None,
            )
            for r in rows
        ]
