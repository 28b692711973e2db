"""Self-service store: models opened to business users for some markets, and market requests."""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, func, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from modelport.db.tables import (
    DeploymentRow,
    MarketRequestRow,
    ModelRow,
    SelfServiceMarketRow,
    SelfServiceRow,
    UserRow,
    utcnow,
)
from modelport.errors import Conflict, NotFound
from modelport.principal import Principal
from modelport.schemas import (
    ALL_MARKETS,
    MarketDeployment,
    MarketRequest,
    MarketRequestStatus,
    Page,
    SelfServiceOpening,
)
from modelport.stores.catalog import visible_to
from modelport.stores.users import usernames

NAME_MAX = 100  # what deployments.name holds (and SLUG allows)


class MarketStore:
    """Persistence of self-service openings and market requests. Methods flush; the caller commits."""

    def __init__(self, session: Session) -> None:
        self.s = session

    # --- openings ------------------------------------------------------------------------------

    def opening(self, model_id: int) -> SelfServiceOpening | None:
        """Returns the model's opening to self-service, or None when it is closed (or was never
        opened). Raises nothing."""
        row = self.s.get(SelfServiceRow, model_id)
        if row is None:
            return None
        model = self.s.get(ModelRow, model_id)
        markets = sorted(
            self.s.scalars(
                select(SelfServiceMarketRow.market).where(SelfServiceMarketRow.model_id == model_id)
            )
        )
        names = usernames(self.s, {row.opened_by_id, row.updated_by_id})
        return SelfServiceOpening(
            model=model.name if model else "",
            version=row.version,
            alias=row.alias,
            markets=[ALL_MARKETS] if row.all_markets else markets,
            all_markets=row.all_markets,
            opened_by=names.get(row.opened_by_id, ""),
            opened_at=row.opened_at,
            updated_by=names.get(row.updated_by_id, ""),
            updated_at=row.updated_at,
        )

    def open(
        self, model_id: int, *, version: int | None, alias: str | None, markets: list[str], user_id: int
    ) -> SelfServiceOpening:
        """Open the model (or replace its opening) for ``markets`` (``["*"]``: every market); returns
        the opening. Raises Conflict when another transaction opened it at the same moment."""
        now = utcnow()
        every = markets == [ALL_MARKETS]
        row = self.s.get(SelfServiceRow, model_id)
        if row is None:
            row = SelfServiceRow(model_id=model_id, opened_by_id=user_id, opened_at=now)
            self.s.add(row)
        row.version, row.alias, row.all_markets = version, alias, every
        row.updated_by_id, row.updated_at = user_id, now
        try:
            self.s.flush()
        except IntegrityError as exc:
            raise Conflict("the self-service of this model changed at the same moment: try again") from exc
        self.s.execute(delete(SelfServiceMarketRow).where(SelfServiceMarketRow.model_id == model_id))
        self.s.add_all(
            [SelfServiceMarketRow(model_id=model_id, market=m) for m in ([] if every else markets)]
        )
        self.s.flush()
        opening = self.opening(model_id)
        assert opening is not None
        return opening

    def add_market(self, model_id: int, market: str, user_id: int) -> bool:
        """Open one more market of an opened model; returns False when it was open already (or all
        are). Raises NotFound when the model is not open to self-service."""
        row = self.s.get(SelfServiceRow, model_id)
        if row is None:
            raise NotFound("the model is not open to self-service")
        if row.all_markets or self.s.get(SelfServiceMarketRow, (model_id, market)) is not None:
            return False
        try:
            with self.s.begin_nested():  # another approval may add it at the same moment
                self.s.add(SelfServiceMarketRow(model_id=model_id, market=market))
        except IntegrityError:
            return False
        row.updated_by_id, row.updated_at = user_id, utcnow()
        self.s.flush()
        return True

    def close(self, model_id: int) -> bool:
        """Close the model to self-service (its markets go too); returns False when it was not open.
        Raises nothing."""
        row = self.s.get(SelfServiceRow, model_id)
        if row is None:
            return False
        self.s.execute(delete(SelfServiceMarketRow).where(SelfServiceMarketRow.model_id == model_id))
        self.s.delete(row)
        self.s.flush()
        return True

    # --- deployments of a model, and free names ---------------------------------------------------

    def deployments_of(self, model_id: int) -> list[MarketDeployment]:
        """Returns the model's deployments, by market then name. Raises nothing."""
        rows = self.s.execute(
            select(DeploymentRow.name, DeploymentRow.market, UserRow.username, DeploymentRow.state)
            .join(UserRow, UserRow.id == DeploymentRow.owner_id)
            .where(DeploymentRow.model_id == model_id)
            .order_by(DeploymentRow.market, DeploymentRow.name)
        ).tuples()
        return [MarketDeployment(name=n, market=m, owner=o, state=st) for n, m, o, st in rows]

    def free_name(self, base: str) -> str:
        """Returns ``base`` if no deployment has that name, else ``base-2``, ``base-3``... (the first
        free one), cut so that it fits the name column. Raises nothing."""
        base = base[:NAME_MAX].rstrip("-")
        stem = base[: NAME_MAX - 4].rstrip("-")  # room for a suffix up to -999
        taken = set(
            self.s.scalars(
                select(DeploymentRow.name).where(
                    (DeploymentRow.name == base) | DeploymentRow.name.like(f"{stem}-%")
                )
            )
        )
        if base not in taken:
            return base
        n = 2
        while f"{stem}-{n}" in taken:
            n += 1
        return f"{stem}-{n}"

    # --- market requests ---------------------------------------------------------------------------

    def _requests(self, rows: list[MarketRequestRow]) -> list[MarketRequest]:
        models = (
            {
                m.id: m
                for m in self.s.scalars(select(ModelRow).where(ModelRow.id.in_({r.model_id for r in rows})))
            }
            if rows
            else {}
        )
        user_ids: set[int | None] = {r.requested_by_id for r in rows}
        user_ids.update(r.decided_by_id for r in rows)
        names = usernames(self.s, user_ids)
        return [
            MarketRequest(
                id=r.id,
                model=models[r.model_id].name,
                model_title=models[r.model_id].title,
                market=r.market,
                message=r.message,
                status=r.status,
                requested_by=names.get(r.requested_by_id, ""),
                created_at=r.created_at,
                decided_by=names.get(r.decided_by_id) if r.decided_by_id else None,
                decided_at=r.decided_at,
                reason=r.reason,
            )
            for r in rows
        ]

    def add_request(self, model_id: int, market: str, message: str, user_id: int) -> MarketRequest:
        """Record a pending request of ``user_id`` for ``market`` of the model; returns it. Raises
        nothing."""
        row = MarketRequestRow(
            model_id=model_id, market=market, message=message, status="pending", requested_by_id=user_id
        )
        self.s.add(row)
        self.s.flush()
        return self._requests([row])[0]

    def pending_request(self, model_id: int, market: str, user_id: int) -> MarketRequest | None:
        """Returns the user's pending request for this market of the model, or None. Raises nothing."""
        row = self.s.scalar(
            select(MarketRequestRow).where(
                MarketRequestRow.model_id == model_id,
                MarketRequestRow.market == market,
                MarketRequestRow.requested_by_id == user_id,
                MarketRequestRow.status == "pending",
            )
        )
        return self._requests([row])[0] if row is not None else None

    def request(self, request_id: int) -> MarketRequest:
        """Returns a request by id (whoever may see it: the caller checks). Raises NotFound if there
        is none."""
        row = self.s.get(MarketRequestRow, request_id)
        if row is None:
            raise NotFound(f"no market request {request_id}")
        return self._requests([row])[0]

    def decide(
        self,
        model_id: int,
        status: MarketRequestStatus,
        user_id: int,
        *,
        market: str | None = None,
        request_id: int | None = None,
        reason: str | None = None,
    ) -> list[tuple[MarketRequest, int]]:
        """Mark the model's pending requests approved or declined: request ``request_id`` only, or
        those for ``market``, or (neither given) all of them. Returns each with its requester's user
        id; a conditional UPDATE, so two deciders never both decide one request (the second gets []).
        Raises nothing."""
        where: list[ColumnElement[bool]] = [
            MarketRequestRow.model_id == model_id,
            MarketRequestRow.status == "pending",
        ]
        if request_id is not None:
            where.append(MarketRequestRow.id == request_id)
        if market is not None:
            where.append(MarketRequestRow.market == market)
        ids = list(
            self.s.scalars(
                update(MarketRequestRow)
                .where(*where)
                .values(status=status, decided_by_id=user_id, decided_at=utcnow(), reason=reason)
                .returning(MarketRequestRow.id)
            )
        )
        if not ids:
            return []
        rows = list(
            self.s.scalars(
                select(MarketRequestRow)
                .where(MarketRequestRow.id.in_(ids))
                .execution_options(populate_existing=True)
            )
        )
        return list(zip(self._requests(rows), [r.requested_by_id for r in rows], strict=True))

    def list_requests(
        self,
        principal: Principal,
        page: int,
        page_size: int,
        *,
        requested_by: int | None = None,
        owned_by: int | None = None,
        model: str | None = None,
        status: MarketRequestStatus | None = None,
    ) -> Page[MarketRequest]:
        """Returns one page of the requests for models ``principal`` may see, newest first: those of
        user ``requested_by`` and/or for models owned by ``owned_by`` (None: any), of one model, in one
        status. Raises nothing."""
        stmt = (
            select(MarketRequestRow)
            .join(ModelRow, ModelRow.id == MarketRequestRow.model_id)
            .where(visible_to(principal))
        )
        if requested_by is not None:
            stmt = stmt.where(MarketRequestRow.requested_by_id == requested_by)
        if owned_by is not None:
            stmt = stmt.where(ModelRow.owner_id == owned_by)
        stmt = stmt.where(ModelRow.name == model if model else true())
        if status:
            stmt = stmt.where(MarketRequestRow.status == status)
        total = self.s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = self.s.scalars(
            stmt.order_by(MarketRequestRow.id.desc()).offset((page - 1) * page_size).limit(page_size)
        )
        return Page(items=self._requests(list(rows)), total=total, page=page, page_size=page_size)

    def count_pending(self, model_id: int) -> int:
        """Returns how many requests for the model wait for a decision. Raises nothing."""
        return (
            self.s.scalar(
                select(func.count()).where(
                    MarketRequestRow.model_id == model_id, MarketRequestRow.status == "pending"
                )
            )
            or 0
        )
