"""Quantities as manifests write them: Kubernetes memory and CPU, compose sizes and Go durations.

Kubernetes' decimal suffixes are powers of 10 and its binary ones powers of 2 (`4G` is
4,000,000,000 bytes, `4Gi` is 4 GiB); compose sizes are docker's, binary whatever the case.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from parity.profile.units import parse_size

# The suffixes of a Kubernetes quantity (resource.Quantity): binary, decimal, and e-notation.
_K8S_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_K8S_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_K8S_QUANTITY = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$")

# A Go duration (compose's stop_grace_period, healthcheck intervals): 1m30s, 10s, 500ms.
_GO_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


class QuantityError(ValueError):
    """A quantity that cannot be read; the message says what was expected."""


def k8s_quantity(value: object) -> Decimal:
    """The exact number a Kubernetes quantity stands for (`500Mi`, `4G`, `1500m`, `1e3`, `2`)."""
    if isinstance(value, bool):
        raise QuantityError(f"{value!r} is not a Kubernetes quantity (e.g. 512Mi, 4G, 500m, 2)")
    if isinstance(value, int | float):
        return Decimal(str(value))
    match = _K8S_QUANTITY.match(str(value).strip())
    if match is None:
        raise QuantityError(f"{value!r} is not a Kubernetes quantity (e.g. 512Mi, 4G, 500m, 2)")
    number, exponent, suffix = match.groups()
    try:
        base = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise QuantityError(f"{value!r} is not a Kubernetes quantity") from None
    if exponent:
        return base * Decimal(10) ** int(exponent[1:])
    if suffix in _K8S_BINARY:
        return base * Decimal(1024) ** _K8S_BINARY[suffix]
    return base * Decimal(10) ** _K8S_DECIMAL[suffix or ""]


def k8s_memory(value: object) -> int:
    """Bytes of a Kubernetes memory quantity (`500Mi` = 524,288,000; `4G` = 4,000,000,000)."""
    amount = k8s_quantity(value)
    if amount <= 0:
        raise QuantityError(f"memory {value!r} is not a positive amount")
    # The kubelet rounds a fractional byte count up (resource.Quantity.Value()).
    return int(amount.to_integral_value(rounding="ROUND_CEILING"))


def k8s_cpus(value: object) -> float:
    """CPUs of a Kubernetes CPU quantity (`1500m` = 1.5, `2` = 2.0)."""
    amount = k8s_quantity(value)
    if amount <= 0:
        raise QuantityError(f"cpu {value!r} is not a positive amount")
    return float(amount)


def compose_size(value: object) -> int:
    """Bytes of a compose size (`512m`, `1gb`, `2048`): docker's units, binary whatever the case."""
    try:
        return parse_size(value)
    except ValueError as exc:
        raise QuantityError(str(exc)) from None


def compose_cpus(value: object) -> float:
    """CPUs of compose's `cpus` or deploy.resources.limits.cpus (`0.5`, `'1.50'`)."""
    try:
        cpus = float(str(value).strip())
    except ValueError:
        raise QuantityError(f"cpus {value!r} is not a number of CPUs (e.g. 0.5 or 2)") from None
    if cpus <= 0:
        raise QuantityError(f"cpus {value!r} is not a positive amount")
    return cpus


def go_duration(value: object) -> float:
    """Seconds of a Go duration (`1m30s`, `10s`, `500ms`); a bare number is seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    parts = _GO_DURATION_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise QuantityError(f"{value!r} is not a duration (e.g. 10s, 1m30s, 500ms)")
    return sum(float(number) * _GO_UNITS[unit] for number, unit in parts)
