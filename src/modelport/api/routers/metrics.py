"""Prometheus metrics (public on purpose: scrapers carry no token; put it behind the network edge)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from modelport.api.security import get_context
from modelport.monitoring import render

router = APIRouter(tags=["health"])


@router.get(
    "/metrics",
    operation_id="metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}},
)
def metrics(request: Request) -> Response:
    """Prediction counts and latency, errors, executions by status, queue depth, model cache size."""
    body, content_type = render(get_context(request).db)
    return Response(body, media_type=content_type)
