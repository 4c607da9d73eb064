"""The corpus of real error messages (tests/unit/cause_corpus*.py), scored as a run gives them to
the heuristic: each goes through `compare()` as a failed revision, smoke test, startup or database
step on the side that failed.

Every case the rules were written against must point at its key. The cases collected as unseen
checks (HELD_OUT, FRESH, FRESH2 and every later batch up to FRESH21 with its b/c parts, listed in UNSEEN below;
tests/unit/cause_corpus_issue21.py and cause_corpus_fresh*.py say when each was scored first, and
how) must be right for at least 85% and wrong for at most 3%, as issue 21 asks of a nightly run
without --explain.
`python -m tests.unit.test_cause_corpus` prints right / unknown / wrong per key.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Literal

import pytest

from parity.diff import compare
from parity.results import ProfileRun, Revision, StepResult, TestCase
from tests.unit.cause_corpus import CASES, Case, pair
from tests.unit.cause_corpus_fresh9 import FRESH9, FRESH9B
from tests.unit.cause_corpus_fresh10 import FRESH10, FRESH10B, FRESH10C
from tests.unit.cause_corpus_fresh11 import FRESH11
from tests.unit.cause_corpus_fresh12 import FRESH12, FRESH12B
from tests.unit.cause_corpus_fresh13 import FRESH13
from tests.unit.cause_corpus_fresh14 import FRESH14, FRESH14B
from tests.unit.cause_corpus_fresh15 import FRESH15
from tests.unit.cause_corpus_fresh16 import FRESH16
from tests.unit.cause_corpus_fresh17 import FRESH17
from tests.unit.cause_corpus_fresh18 import FRESH18
from tests.unit.cause_corpus_fresh19 import FRESH19
from tests.unit.cause_corpus_fresh20 import FRESH20
from tests.unit.cause_corpus_fresh21 import FRESH21
from tests.unit.cause_corpus_issue21 import (
    FRESH,
    FRESH2,
    FRESH3,
    FRESH4,
    FRESH5,
    FRESH6,
    FRESH7,
    FRESH8,
    GATHERED,
    HELD_OUT,
)

__all__ = ["pair"]  # tests/unit/test_evidence.py builds its profiles with it

Verdict = Literal["right", "unknown", "wrong"]


def _runs(case: Case) -> tuple[ProfileRun, ProfileRun]:
    ok_step, bad_step = _steps(case)
    sides = (bad_step, ok_step) if case.failing == "baseline" else (ok_step, bad_step)
    return ProfileRun(name="local", steps={case.step: sides[0]}), ProfileRun(name="prod", steps={case.step: sides[1]})


def _steps(case: Case) -> tuple[StepResult, StepResult]:
    if case.step == "migrations":
        rev_id, _, description = case.subject.partition(" ")
        passed = Revision(id=rev_id, description=description, status="ok")
        failed = Revision(id=rev_id, description=description, status="failed", error=case.message)
        return StepResult(status="ok", revisions=[passed]), StepResult(status="failed", revisions=[failed])
    if case.step == "smoke":
        return (StepResult(status="ok", tests=[TestCase(id=case.subject, outcome="passed")]),
                StepResult(status="failed", tests=[TestCase(id=case.subject, outcome="failed", message=case.message)]))
    return StepResult(status="ok"), StepResult(status="failed", summary="failed", detail=case.message)


def suspected(case: Case) -> tuple[str | None, str]:
    """The cause a run without --explain gives this case, and its note."""
    baseline, target = _runs(case)
    (divergence,), _ = compare(baseline, target, *case.profiles)
    return divergence.cause, divergence.cause_note


def verdict(case: Case) -> Verdict:
    """Right (the expected key, or None where none is expected), unknown (None where a key was
    expected) or wrong (another key)."""
    cause, _ = suspected(case)
    if cause == case.expected:
        return "right"
    return "unknown" if cause is None else "wrong"


def by_key(cases: list[Case]) -> dict[str, Counter[Verdict]]:
    """right / unknown / wrong counted per expected key ('none' where no key is expected)."""
    table: dict[str, Counter[Verdict]] = defaultdict(Counter)
    for case in cases:
        table[case.expected or "none"][verdict(case)] += 1
    return dict(table)


def report(cases: list[Case]) -> str:
    """The per-key table and the totals, as printed by `python -m tests.unit.test_cause_corpus`."""
    table = by_key(cases)
    lines = [f"{'key':<24} right unknown wrong"]
    for key in sorted(table):
        counts = table[key]
        lines.append(f"{key:<24} {counts['right']:>5} {counts['unknown']:>7} {counts['wrong']:>5}")
    total = sum((c for c in table.values()), Counter())
    n = sum(total.values())
    lines.append(f"{'all (' + str(n) + ')':<24} {total['right']:>5} {total['unknown']:>7} {total['wrong']:>5}"
                 f"   right {total['right'] / n:.0%}, wrong {total['wrong'] / n:.0%}")
    return "\n".join(lines)


TUNED = CASES + GATHERED


@pytest.mark.parametrize("case", TUNED, ids=[f"{i:03d}" for i in range(len(TUNED))])
def test_real_error_messages_point_at_the_key_that_produces_them(case: Case) -> None:
    cause, note = suspected(case)
    assert cause == case.expected, note
    baseline, target = _runs(case)
    (divergence,), _ = compare(baseline, target, *case.profiles)
    assert divergence.cause_confidence == ("suspected" if case.expected else "unknown")


UNSEEN = (HELD_OUT + FRESH + FRESH2 + FRESH3 + FRESH4 + FRESH5 + FRESH6 + FRESH7 + FRESH8 + FRESH9 + FRESH9B
          + FRESH10 + FRESH10B + FRESH10C + FRESH11 + FRESH12 + FRESH12B + FRESH13 + FRESH14 + FRESH14B + FRESH15
          + FRESH16
          + FRESH17
          + FRESH18
          + FRESH19
          + FRESH20
          + FRESH21)


def test_unseen_messages_are_mostly_right_and_rarely_wrong() -> None:
    counts = sum(by_key(UNSEEN).values(), Counter())
    n = sum(counts.values())
    assert counts["right"] / n >= 0.85, report(UNSEEN)
    assert counts["wrong"] / n <= 0.03, report(UNSEEN)


def test_the_corpus_holds_at_least_150_distinct_real_messages() -> None:
    everything = TUNED + UNSEEN
    assert len(everything) >= 150
    assert len({case.message for case in everything}) == len(everything)  # no message counted twice


def test_the_report_counts_each_verdict_under_its_key() -> None:
    right = Case("ERROR: function gen_random_uuid() does not exist", "database.version", pair(
        prod={"database": {"version": "12"}}))
    unknown = Case("ERROR: function gen_random_uuid() does not exist", "database.version", pair(
        prod={"database": {"version": "17"}}))
    wrong = Case("ERROR: function gen_random_uuid() does not exist", "database.superuser", pair(
        prod={"database": {"version": "12"}}))
    table = by_key([right, unknown, wrong])
    assert table["database.version"] == Counter({"right": 1, "unknown": 1})
    assert table["database.superuser"] == Counter({"wrong": 1})
    assert report([right, unknown, wrong]).splitlines()[-1].split()[2:5] == ["1", "1", "1"]


if __name__ == "__main__":
    print("tuned on:\n" + report(TUNED) + "\n\nunseen (held out, fresh):\n" + report(UNSEEN)
          + "\n\nFRESH9:\n" + report(FRESH9) + "\n\nFRESH9B:\n" + report(FRESH9B)
          + "\n\nFRESH10:\n" + report(FRESH10) + "\n\nFRESH10b:\n" + report(FRESH10B)
          + "\n\nFRESH10c:\n" + report(FRESH10C) + "\n\nFRESH11:\n" + report(FRESH11)
          + "\n\nFRESH12:\n" + report(FRESH12) + "\n\nFRESH12b:\n" + report(FRESH12B)
          + "\n\nFRESH13:\n" + report(FRESH13)
          + "\n\nFRESH14:\n" + report(FRESH14) + "\n\nFRESH14b:\n" + report(FRESH14B)
          + "\n\nFRESH15:\n" + report(FRESH15)
          + "\n\nFRESH16:\n" + report(FRESH16)
          + "\n\nFRESH17:\n" + report(FRESH17)
          + "\n\nFRESH18:\n" + report(FRESH18)
          + "\n\nFRESH19:\n" + report(FRESH19)
          + "\n\nFRESH20:\n" + report(FRESH20)
          + "\n\nFRESH21:\n" + report(FRESH21))
