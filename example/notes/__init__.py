"""notes: a tiny notes service, parity's example app with deliberate production-only bugs."""

__version__ = "1.0.0"
