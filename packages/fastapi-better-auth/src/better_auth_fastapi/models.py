"""What a validated request knows about its reader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class User:
    id: str
    email: str
    name: str


@dataclass(frozen=True, slots=True)
class Profile:
    """The reader's answers. Values are the PostgreSQL enum labels from profile-fields.json (one source)."""

    python_proficiency: str | None
    developer_role: str | None
    onboarding_completed: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "pythonProficiency": self.python_proficiency,
            "developerRole": self.developer_role,
            "onboardingCompleted": self.onboarding_completed,
        }


@dataclass(frozen=True, slots=True)
class Session:
    """A validated session. ``via`` says which credential proved it; CSRF rules differ between them."""

    user: User
    profile: Profile | None
    session_id: str | None
    expires_at: datetime | None
    via: Literal["cookie", "bearer", "jwt"]

    @property
    def profile_complete(self) -> bool:
        return self.profile is not None and self.profile.onboarding_completed
