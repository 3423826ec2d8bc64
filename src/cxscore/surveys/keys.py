"""The keys the surveys sign with, each derived from the project secret for one purpose."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cxscore.service.secrets import derive_key, project_secret

__all__ = ["Keys"]


@dataclass(frozen=True)
class Keys:
    """Survey links, unsubscribe links and survey forms each have their own key."""

    link: bytes
    unsubscribe: bytes
    form: bytes

    @classmethod
    def of(cls, root: Path) -> Keys:
        secret = project_secret(root)
        return cls(
            link=derive_key(secret, "survey-link"),
            unsubscribe=derive_key(secret, "survey-unsubscribe"),
            form=derive_key(secret, "survey-form"),
        )
