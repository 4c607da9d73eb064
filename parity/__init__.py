"""parity: run an app against production-shaped containers and report every difference."""

__version__ = "0.1.0"

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parity.api import environment as environment


def __getattr__(name: str) -> object:
    # `parity.environment` is loaded on first use: `import parity` (the CLI's) stays light.
    if name == "environment":
        from parity.api import environment

        return environment
    raise AttributeError(f"module 'parity' has no attribute {name!r}")
