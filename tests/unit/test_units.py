import pytest

from parity.profile.units import format_duration, format_size, parse_duration, parse_size


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("500ms", 0.5), ("30s", 30.0), ("5m", 300.0), ("1h", 3600.0), ("2", 2.0), (1.5, 1.5), ("0.25s", 0.25)],
)
def test_durations_parse_to_seconds(text: object, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("bad", ["10x", "", "-1s", "fast", True, None, [1]])
def test_bad_durations_are_rejected(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(bad)


@pytest.mark.parametrize(
    ("text", "size"),
    [("512m", 512 * 2**20), ("1g", 2**30), ("256MiB", 256 * 2**20), ("64k", 65536), ("1Gi", 2**30), (1024, 1024)],
)
def test_sizes_parse_to_bytes(text: object, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("bad", ["12q", "0", "i", "big", False, "-5m"])
def test_bad_sizes_are_rejected(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_size(bad)


def test_sizes_and_durations_format_for_people() -> None:
    assert format_size(512 * 2**20) == "512 MiB"
    assert format_size(1536 * 2**20) == "1.5 GiB"
    assert format_duration(0.25) == "250ms"
    assert format_duration(90) == "1m30s"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.0, "0ms"), (0.004, "4ms"), (0.42, "420ms"), (4.1, "4.1s"), (30.01, "30.0s"), (65, "1m05s"),
     (3725, "62m05s"),
     # The unit is chosen after rounding: never "1000ms" or "60.0s".
     (0.9996, "1.0s"), (59.96, "1m00s")],
)  # fmt: skip
def test_a_duration_reads_in_milliseconds_seconds_or_minutes(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("value", "written"),
    [(256 * 2**20, "256m"), (2**30, "1g"), (1536 * 2**20, "1536m"), (64 * 1024, "64k"), (1_000_000, "1000000")],
)  # fmt: skip
def test_a_size_is_written_in_the_largest_exact_unit_and_reads_back(value: int, written: str) -> None:
    assert format_size(value, as_written=True) == written
    assert parse_size(written) == value


@pytest.mark.parametrize(
    ("seconds", "written"),
    [(600.0, "10m"), (3600.0, "1h"), (90.0, "90s"), (0.5, "500ms"), (1.5, "1500ms"), (0.0, "0s"), (0.0005, "0.0005s")],
)  # fmt: skip
def test_a_duration_is_written_in_the_largest_exact_unit_and_reads_back(seconds: float, written: str) -> None:
    assert format_duration(seconds, as_written=True) == written
    assert parse_duration(written) == seconds
