"""Durations ("500ms", "30s", "5m") and sizes ("512m", "1g", "256MiB") as users write them."""

from __future__ import annotations

import re

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$", re.IGNORECASE)
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}

_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:/\s*(s|sec|second|m|min|minute))?\s*$", re.IGNORECASE)

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$", re.IGNORECASE)
_SIZE_POWERS = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4}


def parse_duration(value: object) -> float:
    """Seconds from a duration: a number (seconds) or a string with ms/s/m/h."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 500ms, 30s or 5m, got a boolean")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        seconds = float(match.group(1)) * _DURATION_UNITS[(match.group(2) or "s").lower()]
    else:
        raise ValueError(f"expected a duration such as 500ms, 30s or 5m, got {value!r}")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    return seconds


def parse_rate(value: object) -> float:
    """Events per second from a rate: a number (per second) or "50/s", "300/m"."""
    if isinstance(value, bool):
        raise ValueError("expected a rate such as 50/s or 300/m, got a boolean")
    if isinstance(value, int | float):
        rate = float(value)
    elif isinstance(value, str) and (match := _RATE.match(value)):
        per = (match.group(2) or "s").lower()
        rate = float(match.group(1)) / (60.0 if per.startswith("m") else 1.0)
    else:
        raise ValueError(f"expected a rate such as 50/s or 300/m, got {value!r}")
    if rate <= 0:
        raise ValueError("a rate must be positive")
    return rate


def parse_size(value: object) -> int:
    """Bytes from a size: a number (bytes) or a string like 512m, 1g, 256MiB (binary units)."""
    if isinstance(value, bool):
        raise ValueError("expected a size such as 512m, 1g or 256MiB, got a boolean")
    if isinstance(value, int | float):
        size = float(value)
    elif isinstance(value, str) and (match := _SIZE.match(value)):
        unit, suffix = match.group(2).lower(), match.group(3).lower()
        if suffix.startswith("i") and not unit:  # "256Mi" is fine, a lone "i" is not
            raise ValueError(f"expected a size such as 512m, 1g or 256MiB, got {value!r}")
        # Memory caps are binary everywhere users meet them (docker, Kubernetes "Mi"), so
        # 512m and 512MB both mean 512 MiB here, like `docker run --memory 512m`.
        size = float(match.group(1)) * 1024 ** _SIZE_POWERS[unit]
    else:
        raise ValueError(f"expected a size such as 512m, 1g or 256MiB, got {value!r}")
    if size <= 0:
        raise ValueError("a size must be positive")
    return int(size)


def format_size(size: int, *, as_written: bool = False) -> str:
    """A size for people: 536870912 -> '512 MiB'. `as_written`: as a profile says it, in the
    largest unit that is exact, so it reads back to the same bytes (268435456 -> '256m')."""
    if as_written:
        return _largest_exact(size, (("t", 1024**4), ("g", 1024**3), ("m", 1024**2), ("k", 1024)), "")
    for unit, power in (("GiB", 3), ("MiB", 2), ("KiB", 1)):
        if size >= 1024**power:
            value = size / 1024**power
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} B"


def format_duration(seconds: float, *, as_written: bool = False) -> str:
    """A duration for people, the one way parity prints one: 0.42 -> '420ms', 4.1 -> '4.1s',
    65 -> '1m05s'. `as_written`: as a profile says it, in the largest unit that is exact, so it
    reads back the same (600 -> '10m', 0.5 -> '500ms', 90 -> '90s')."""
    if as_written:
        return _largest_exact(seconds, (("h", 3600), ("m", 60), ("s", 1), ("ms", 0.001)), "s")
    # Each unit is chosen after rounding, so 0.9996 reads "1.0s", not "1000ms", and 59.96 "1m00s".
    if round(seconds * 1000) < 1000:
        return f"{seconds * 1000:.0f}ms"
    if round(seconds, 1) < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest:02d}s"


def format_rate(per_second: float) -> str:
    """A rate as a profile says it: 20.0 -> '20/s', 0.5 -> '30/m'."""
    return _largest_exact(per_second, (("/s", 1), ("/m", 1 / 60)), "/s")


def _largest_exact(value: float, units: tuple[tuple[str, float], ...], bare: str) -> str:
    """`value` in the first of `units` that counts it in whole numbers, else as a plain decimal
    followed by `bare` (the unit a bare number means)."""
    for suffix, unit in units:
        count = round(value / unit)
        if count and abs(count * unit - value) <= 1e-9 * max(1.0, abs(value)):
            return f"{count}{suffix}"
    return f"{value:.6f}".rstrip("0").rstrip(".") + bare
