"""Self-service markets: a new market without a data scientist.

A model's owner (or an admin) opens one version or alias of it to self-service for some markets, or
all (``*``). A business user then deploys it for one of those markets in one call: the deployment
follows the opened version or alias, its name defaults to ``{model}-{market}``, and the owner is
told. For a market that is not open, the business user requests it; the owner approves (which opens
the market and tells the requester) or declines with a reason. Every change is audited.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from modelport.context import Context
from modelport.errors import AlreadyExists, Conflict, Forbidden, InvalidArgument, NotFound
from modelport.principal import Principal
from modelport.schemas import (
    Deployment,
    DeploymentCreate,
    InputSpec,
    MarketRequest,
    MarketRequestApprove,
    MarketRequestCreate,
    MarketRequestDecline,
    MarketRequestStatus,
    Model,
    Page,
    Role,
    SelfService,
    SelfServiceDeploy,
    SelfServiceOpen,
    SelfServiceOpening,
)
from modelport.services.auth import require
from modelport.services.deployments import DeploymentService, deployment_name
from modelport.services.notifications import NotificationService
from modelport.stores.audit import AuditStore, record
from modelport.stores.catalog import CatalogStore
from modelport.stores.markets import MarketStore

RequestView = Literal["received", "sent"]


def model_link(name: str) -> str:
    """Where the web app shows a model's markets (the model page's self-service section)."""
    return f"/models/{name}#markets"


def is_open(opening: SelfServiceOpening | None, market: str) -> bool:
    return opening is not None and (opening.all_markets or market in opening.markets)


def _target(opening: SelfServiceOpening) -> str:
    return f"alias {opening.alias}" if opening.alias else f"version {opening.version}"


class MarketService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # --- rules -----------------------------------------------------------------------------------

    @staticmethod
    def can_manage(model: Model, principal: Principal) -> bool:
        """The model's owner (a data scientist) or an admin opens, edits, closes and decides requests."""
        return principal.is_admin or (
            model.owner == principal.username and principal.role.allows(Role.data_scientist)
        )

    def _may_manage(self, model: Model, principal: Principal) -> None:
        require(principal, Role.data_scientist)
        if not self.can_manage(model, principal):
            raise Forbidden(
                f"only the owner of {model.name!r} ({model.owner}) or an admin may manage its self-service"
            )

    @staticmethod
    def _check_target(s: Session, model: Model, version: int | None, alias: str | None, p: Principal) -> None:
        ref = str(version) if version is not None else str(alias)
        try:
            CatalogStore(s).get_version(model.name, ref, p)
        except NotFound:
            field = "version" if version is not None else "alias"
            raise InvalidArgument(f"model {model.name!r} has no {field} {ref!r}", field=field) from None

    def _view(self, s: Session, model: Model, principal: Principal) -> SelfService:
        store = MarketStore(s)
        opening = store.opening(model.id)
        resolved = None
        if opening is not None:
            try:
                ref = opening.alias or str(opening.version)
                resolved = CatalogStore(s).get_version(model.name, ref, principal).version
            except NotFound:  # the alias was deleted since: deploying says so
                resolved = None
        manage = self.can_manage(model, principal)
        explicit = opening.markets if opening is not None and not opening.all_markets else []
        return SelfService(
            model=model.name,
            open=opening is not None,
            version=opening.version if opening else None,
            alias=opening.alias if opening else None,
            resolved_version=resolved,
            markets=opening.markets if opening else [],
            all_markets=opening.all_markets if opening else False,
            opened_by=opening.opened_by if opening else None,
            opened_at=opening.opened_at if opening else None,
            updated_by=opening.updated_by if opening else None,
            updated_at=opening.updated_at if opening else None,
            deployments=store.deployments_of(model.id),
            suggested_names={m: store.free_name(deployment_name(model.name, m)) for m in explicit},
            can_manage=manage,
            can_deploy=opening is not None and principal.role.allows(Role.business_user),
            can_request=principal.role.allows(Role.business_user)
            and not (opening is not None and opening.all_markets),
            pending_requests=store.count_pending(model.id) if manage else None,
        )

    def _answer_requester(
        self,
        s: Session,
        model: Model,
        principal: Principal,
        request: MarketRequest,
        requester_id: int,
        decision: Literal["approve", "decline"],
        *,
        title: str,
        body: str,
        **details: str,
    ) -> None:
        """Audit the decision on ``request`` and tell its requester (``market_approved`` or
        ``market_declined``); ``details`` go into both (a decline's reason)."""
        record(
            AuditStore(s),
            principal,
            f"market_request.{decision}",
            "model",
            model.name,
            request_id=request.id,
            market=request.market,
            requested_by=request.requested_by,
            **details,
        )
        NotificationService(self.ctx).notify(
            "market_approved" if decision == "approve" else "market_declined",
            title=title,
            body=body,
            link=model_link(model.name),
            model_id=model.id,
            recipients=[requester_id],
            owner=False,
            watchers=False,
            data={"request_id": request.id, "model": model.name, "market": request.market, **details},
            session=s,
        )

    def _approve_pending(
        self, s: Session, model: Model, principal: Principal, market: str | None
    ) -> list[MarketRequest]:
        """Approve the pending requests for ``market`` (None: any market) that an opening answers, and
        tell their requesters."""
        decided = MarketStore(s).decide(model.id, "approved", principal.user_id, market=market)
        for request, requester_id in decided:
            self._answer_requester(
                s,
                model,
                principal,
                request,
                requester_id,
                "approve",
                title=f"{model.name} is open for {request.market}",
                body=f"{principal.username} approved your request: you can now deploy {model.title} "
                f"({model.name}) for {request.market} from its page.",
            )
        return [r for r, _ in decided]

    # --- the opening -----------------------------------------------------------------------------

    def get(self, name: str, principal: Principal) -> SelfService:
        """The model's self-service state as the caller sees it (open or not)."""
        with self.ctx.db.session() as s:
            return self._view(s, CatalogStore(s).get_model(name, principal), principal)

    def open(self, name: str, data: SelfServiceOpen, principal: Principal) -> SelfService:
        """Open (or change the opening of) a model; pending requests for a market it opens are approved."""
        with self.ctx.db.session() as s:
            model = CatalogStore(s).get_model(name, principal)
            self._may_manage(model, principal)
            self._check_target(s, model, data.version, data.alias, principal)
            store = MarketStore(s)
            before = store.opening(model.id)
            opening = store.open(
                model.id,
                version=data.version,
                alias=data.alias,
                markets=data.markets,
                user_id=principal.user_id,
            )
            record(
                AuditStore(s),
                principal,
                "self_service.update" if before else "self_service.open",
                "model",
                name,
                version=data.version,
                alias=data.alias,
                markets=opening.markets,
                before=before.markets if before else None,
            )
            for market in [None] if opening.all_markets else opening.markets:
                self._approve_pending(s, model, principal, market)
            return self._view(s, model, principal)

    def close(self, name: str, principal: Principal) -> None:
        """Close a model to self-service. Its deployments stay; pending requests stay pending."""
        with self.ctx.db.session() as s:
            model = CatalogStore(s).get_model(name, principal)
            self._may_manage(model, principal)
            store = MarketStore(s)
            before = store.opening(model.id)
            if before is None or not store.close(model.id):
                raise NotFound(f"{name!r} is not open to self-service")
            record(AuditStore(s), principal, "self_service.close", "model", name, markets=before.markets)

    # --- deploying an open market -------------------------------------------------------------------

    def deploy(self, name: str, data: SelfServiceDeploy, principal: Principal) -> Deployment:
        """Deploy the model for an open market, following the opened version or alias; the owner hears.

        Forbidden (naming ``market``) when the market is not open: request it instead."""
        require(principal, Role.business_user)
        deployments = DeploymentService(self.ctx)
        with self.ctx.db.session() as s:
            model = CatalogStore(s).get_model(name, principal)
            store = MarketStore(s)
            opening = store.opening(model.id)
            if opening is None or not is_open(opening, data.market):
                where = (
                    f"market {data.market} is not open to self-service for {name!r} (open: "
                    f"{', '.join(opening.markets)})"
                    if opening
                    else f"{name!r} is not open to self-service"
                )
                raise Forbidden(
                    f"{where}: request market {data.market} from its owner ({model.owner}) with "
                    "'Request this market'",
                    field="market",
                    details={
                        "model": name,
                        "market": data.market,
                        "open_markets": opening.markets if opening else [],
                        "request": f"/api/v1/models/{name}/market-requests",
                    },
                )
            create = DeploymentCreate(
                name=data.name or store.free_name(deployment_name(name, data.market)),
                model=name,
                version=opening.version,
                alias=opening.alias,
                market=data.market,
                description=data.description,
                schedule=data.schedule,
                input=InputSpec.model_validate(data.input.model_dump()),
                on_bad_rows=data.on_bad_rows,
            )
            deployments.check_new(create)
            deployment = deployments.create_in(s, create, principal, via="self-service")
            if model.owner != principal.username:
                NotificationService(self.ctx).notify(
                    "market_deployed",
                    title=f"{principal.username} deployed {name} for {data.market}",
                    body=f"Deployment {deployment.name} of {model.title} ({name}) follows "
                    f"{_target(opening)}, for market {data.market}"
                    + (
                        f", on the schedule {data.schedule.cron} {data.schedule.timezone}"
                        if data.schedule
                        else ""
                    )
                    + ".",
                    link=model_link(name),
                    model_id=model.id,
                    owner=True,
                    watchers=False,
                    data={
                        "deployment": deployment.name,
                        "model": name,
                        "market": data.market,
                        "deployed_by": principal.username,
                    },
                    session=s,
                )
            return deployment

    # --- market requests ---------------------------------------------------------------------------

    def request_market(self, name: str, data: MarketRequestCreate, principal: Principal) -> MarketRequest:
        """Ask the owner to open ``data.market``; Conflict when it is open, AlreadyExists when the caller
        already asked and waits."""
        require(principal, Role.business_user)
        with self.ctx.db.session() as s:
            model = CatalogStore(s).get_model(name, principal)
            store = MarketStore(s)
            if is_open(store.opening(model.id), data.market):
                raise Conflict(
                    f"market {data.market} is already open to self-service for {name!r}: deploy it",
                    field="market",
                )
            waiting = store.pending_request(model.id, data.market, principal.user_id)
            if waiting is not None:
                raise AlreadyExists(
                    f"you asked for market {data.market} of {name!r} already (request {waiting.id}, pending)",
                    field="market",
                )
            request = store.add_request(model.id, data.market, data.message, principal.user_id)
            record(
                AuditStore(s),
                principal,
                "market_request.create",
                "model",
                name,
                request_id=request.id,
                market=data.market,
            )
            NotificationService(self.ctx).notify(
                "market_requested",
                title=f"{principal.username} asks for {name} in {data.market}",
                body=(f"“{data.message}”\n\n" if data.message else "")
                + f"{principal.username} would like to deploy {model.title} ({name}) for market "
                f"{data.market}. Approve or decline the request on the model page.",
                link=model_link(name),
                model_id=model.id,
                owner=True,
                watchers=False,
                data={
                    "request_id": request.id,
                    "model": name,
                    "market": data.market,
                    "requested_by": principal.username,
                    "message": data.message,
                },
                session=s,
            )
            return request

    def list_requests(
        self,
        principal: Principal,
        view: RequestView,
        page: int,
        page_size: int,
        *,
        model: str | None = None,
        status: MarketRequestStatus | None = None,
    ) -> Page[MarketRequest]:
        """``received``: requests for the caller's models (every model for an admin); ``sent``: the
        caller's own requests. Newest first."""
        with self.ctx.db.session() as s:
            store = MarketStore(s)
            if view == "sent":
                return store.list_requests(
                    principal, page, page_size, requested_by=principal.user_id, model=model, status=status
                )
            owned_by = None if principal.is_admin else principal.user_id
            return store.list_requests(
                principal, page, page_size, owned_by=owned_by, model=model, status=status
            )

    def _decidable(self, s: Session, request_id: int, principal: Principal) -> tuple[MarketRequest, Model]:
        request = MarketStore(s).request(request_id)
        try:
            model = CatalogStore(s).get_model(request.model, principal)
        except NotFound:
            raise NotFound(f"no market request {request_id}") from None
        self._may_manage(model, principal)
        if request.status != "pending":
            raise Conflict(
                f"market request {request_id} was {request.status} already by {request.decided_by}"
            )
        return request, model

    def approve(self, request_id: int, data: MarketRequestApprove, principal: Principal) -> MarketRequest:
        """Open the requested market (opening the model with ``data``'s version or alias when it is not
        open yet) and approve every pending request for it; their requesters hear."""
        require(principal, Role.data_scientist)
        with self.ctx.db.session() as s:
            request, model = self._decidable(s, request_id, principal)
            store = MarketStore(s)
            opening = store.opening(model.id)
            if opening is None:
                if data.version is None and data.alias is None:
                    raise InvalidArgument(
                        f"{model.name!r} is not open to self-service yet: give the version or alias "
                        "(e.g. champion) to open it with",
                        field="alias",
                    )
                self._check_target(s, model, data.version, data.alias, principal)
                store.open(
                    model.id,
                    version=data.version,
                    alias=data.alias,
                    markets=[request.market],
                    user_id=principal.user_id,
                )
                record(
                    AuditStore(s),
                    principal,
                    "self_service.open",
                    "model",
                    model.name,
                    version=data.version,
                    alias=data.alias,
                    markets=[request.market],
                    request_id=request_id,
                )
            else:
                if data.version is not None or data.alias is not None:
                    raise InvalidArgument(
                        f"{model.name!r} is open already ({_target(opening)}): approve with an empty "
                        "body, or change the opening itself",
                        field="version" if data.version is not None else "alias",
                    )
                if store.add_market(model.id, request.market, principal.user_id):
                    record(
                        AuditStore(s),
                        principal,
                        "self_service.update",
                        "model",
                        model.name,
                        markets=[*opening.markets, request.market],
                        before=opening.markets,
                        request_id=request_id,
                    )
            approved = self._approve_pending(s, model, principal, request.market)
            mine = [r for r in approved if r.id == request_id]
            if not mine:
                raise Conflict(f"market request {request_id} was decided by someone else at the same moment")
            return mine[0]

    def decline(self, request_id: int, data: MarketRequestDecline, principal: Principal) -> MarketRequest:
        """Decline a pending request with a reason, which the requester hears."""
        require(principal, Role.data_scientist)
        with self.ctx.db.session() as s:
            request, model = self._decidable(s, request_id, principal)
            decided = MarketStore(s).decide(
                model.id, "declined", principal.user_id, request_id=request_id, reason=data.reason
            )
            if not decided:
                raise Conflict(f"market request {request_id} was decided by someone else at the same moment")
            declined, requester_id = decided[0]
            self._answer_requester(
                s,
                model,
                principal,
                request,
                requester_id,
                "decline",
                title=f"Your request for {model.name} in {request.market} was declined",
                body=f"{principal.username} declined your request for {model.title} ({model.name}) in "
                f"market {request.market}: {data.reason}",
                reason=data.reason,
            )
            return declined
