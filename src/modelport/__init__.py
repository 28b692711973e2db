"""modelport: one home for a company's machine-learning models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from modelport.sdk import Client

__all__ = ["Client", "__version__"]


def __getattr__(name: str) -> Any:
    # The SDK is imported lazily so that `import modelport` stays cheap for the server.
    if name == "Client":
        from modelport.sdk import Client

        return Client
    raise AttributeError(name)
