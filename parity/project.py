"""A project under test: its directory and where its profiles live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from parity.errors import UsageError

if TYPE_CHECKING:
    from parity.profile.loader import LoadedProfile


@dataclass(frozen=True)
class Project:
    """The directory parity works in (`--project`) and its profiles directory."""

    root: Path
    profiles_dir: Path

    @classmethod
    def at(cls, root: str | Path = ".", profiles_dir: str | Path | None = None) -> Project:
        """Resolve the project directory and its profiles directory (default ROOT/profiles)."""
        root_path = Path(root).resolve()
        if not root_path.is_dir():
            raise UsageError(f"project directory {root} does not exist", "pass an existing --project DIR")
        profiles = Path(profiles_dir).resolve() if profiles_dir else root_path / "profiles"
        return cls(root=root_path, profiles_dir=profiles)

    def profile(self, name: str) -> LoadedProfile:
        """Load one of the project's profiles."""
        # Imported here: commands that need no profile (`down`, `--help`) never load pydantic.
        from parity.profile.loader import load_profile

        return load_profile(self.profiles_dir, name)
