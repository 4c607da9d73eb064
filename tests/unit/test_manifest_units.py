"""Quantities and interpolation as manifests write them: Kubernetes' decimal and binary suffixes,
compose's docker units and Go durations, and compose's `${X:-default}` from .env alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from parity.errors import ProfileError
from parity.manifests.interpolation import interpolate, read_dotenv
from parity.manifests.quantities import (
    QuantityError,
    compose_cpus,
    compose_size,
    go_duration,
    k8s_cpus,
    k8s_memory,
)


@pytest.mark.parametrize(("quantity", "size"), [
    ("4G", 4 * 10**9),  # decimal: powers of 10
    ("4Gi", 4 * 2**30),  # binary: powers of 2
    ("500Mi", 500 * 2**20),
    ("500M", 500 * 10**6),
    ("128974848", 128974848),
    (128974848, 128974848),
    ("129e6", 129 * 10**6),
    ("1.5Gi", 3 * 2**29),
    ("1k", 1000),
    ("1Ki", 1024),
])
def test_kubernetes_memory_keeps_its_bytes(quantity: object, size: int) -> None:
    assert k8s_memory(quantity) == size


@pytest.mark.parametrize("quantity", ["500Mx", "4GB", "Mi", "", "1.2.3Gi", "-1Gi", "0", True])
def test_an_unreadable_or_empty_memory_quantity_is_refused(quantity: object) -> None:
    with pytest.raises(QuantityError):
        k8s_memory(quantity)


@pytest.mark.parametrize(("quantity", "cpus"), [("1500m", 1.5), ("250m", 0.25), ("2", 2.0), (2, 2.0), ("0.5", 0.5)])
def test_kubernetes_cpu_millicores_are_fractions_of_a_cpu(quantity: object, cpus: float) -> None:
    assert k8s_cpus(quantity) == cpus


def test_compose_sizes_are_dockers_binary_units_and_cpus_a_number() -> None:
    assert compose_size("512m") == 512 * 2**20
    assert compose_size("1gb") == 2**30
    assert compose_cpus("0.50") == 0.5
    with pytest.raises(QuantityError):
        compose_size("lots")
    with pytest.raises(QuantityError):
        compose_cpus("half")


@pytest.mark.parametrize(("text", "seconds"), [("1m30s", 90.0), ("10s", 10.0), ("500ms", 0.5), ("1h", 3600.0), (45, 45.0)])
def test_go_durations_add_their_parts(text: object, seconds: float) -> None:
    assert go_duration(text) == seconds


@pytest.mark.parametrize("text", ["90 seconds", "1m30", "s", ""])
def test_a_go_duration_with_a_stray_part_is_refused(text: str) -> None:
    with pytest.raises(QuantityError):
        go_duration(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("${SET:-d}", "yes"), ("${EMPTY:-d}", "d"), ("${UNSET:-d}", "d"),
    ("${SET-d}", "yes"), ("${EMPTY-d}", ""), ("${UNSET-d}", "d"),
    ("${SET:+alt}", "alt"), ("${EMPTY:+alt}", ""), ("${EMPTY+alt}", "alt"), ("${UNSET+alt}", ""),
    ("$SET/$UNSET.", "yes/."), ("$${SET}", "${SET}"), ("a$", "a$"),
    ("${UNSET:-${SET}-x}", "yes-x"),
])
def test_compose_interpolation(text: str, expected: str) -> None:
    assert interpolate(text, {"SET": "yes", "EMPTY": ""}, "f") == expected


def test_a_required_variable_that_is_unset_is_a_profile_error_naming_it() -> None:
    with pytest.raises(ProfileError, match="DOMAIN is required: set it") as caught:
        interpolate("${DOMAIN:?set it}", {"DOMAIN": ""}, "compose.yml")
    assert caught.value.fix and ".env" in caught.value.fix


def test_the_shells_environment_is_not_consulted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FROM_SHELL", "shell")
    assert interpolate("${FROM_SHELL:-file}", {}, "f") == "file"


def test_dotenv_values_as_compose_reads_them(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("# comment\nexport A=1\nB='lit ${A}'\nC=\"x\\ny ${A}\"\nD=plain # note\nE=${A}2\n\nF=\n")
    assert read_dotenv(dotenv, {}) == {"A": "1", "B": "lit ${A}", "C": "x\ny 1", "D": "plain", "E": "12", "F": ""}
