"""parity: run an app against production-shaped containers and report every difference."""

__version__ = "0.1.0"
