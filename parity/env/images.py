"""The images a profile runs from, worked out in one place: `run` gets them ready before anything
starts, `parity doctor` checks that the engine has them or can make them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from parity.profile.models import Profile


@dataclass(frozen=True)
class ProfileImages:
    """The images one profile runs from."""

    # Containers start from these as they are: the database server's, its pooler's, the load balancer's.
    started: list[str] = field(default_factory=list)
    # The app's: its image, or the images its Dockerfile builds FROM (the build needs them).
    app: list[str] = field(default_factory=list)
    # app.build's Dockerfile when it does not exist (no bases to read; the build will refuse).
    missing_dockerfile: Path | None = None

    @property
    def refs(self) -> list[str]:
        """Every image the profile needs."""
        return [*self.started, *self.app]


def profile_images(profile: Profile, root: Path) -> ProfileImages:
    """The images `profile` (in the project at `root`) runs from."""
    started: list[str] = []
    if profile.database and profile.database.postgres:
        started.append(profile.database.image_ref())
        if profile.database.pooler is not None:
            started.append(profile.database.pooler.image)
    app = profile.app
    if app and app.balanced:
        # The balancer's and the app's modules load only for profiles that have them.
        from parity.env.balancer import LOAD_BALANCER_IMAGE

        started.append(LOAD_BALANCER_IMAGE)
    if app is None:
        return ProfileImages(started)
    if app.image:
        return ProfileImages(started, [app.image])
    assert app.build is not None  # one of build and image (AppSpec's validator)
    dockerfile = root / app.build / app.dockerfile
    if not dockerfile.is_file():
        return ProfileImages(started, missing_dockerfile=dockerfile)
    from parity.env.app import base_images

    return ProfileImages(started, base_images(dockerfile))
