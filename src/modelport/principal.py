"""Who is calling: the signed-in user and how they signed in."""

from __future__ import annotations

from dataclasses import dataclass

from modelport.schemas import Role


@dataclass(frozen=True)
class Principal:
    """The caller of a service function."""

    user_id: int
    username: str
    role: Role
    department: str | None
    via: str = "session"  # "session", "token", "oidc", "cli"
    ip: str | None = None
    user_agent: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin
