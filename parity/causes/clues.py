"""The failing side's evidence as the heuristic reads it (its own lines, the SQLSTATEs they carry,
both sides' profiles), and the small matchers its rules are built from."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from parity.causes import sqlstate, versions
from parity.evidence import Evidence
from parity.profile.models import Profile

# Python tracebacks and pytest reports quote source code; a word in code is not an error.
_CODE_LINE = re.compile(r'^\s*(File ".*", line \d+|>\s|[\^~]+\s*$)')


@dataclass(frozen=True)
class Clues:
    """The failing side's evidence, read once: its own lines (no quoted code), its SQLSTATEs, the
    secret names the profiles declare, and both sides' profiles."""

    evidence: Evidence
    text: str
    sqlstates: frozenset[str]
    secret_names: frozenset[str]  # declared by either profile, and what parity delivers itself
    secrets_on_both: frozenset[str]
    failing: Profile
    other: Profile

    def has(self, *codes: str) -> str | None:
        """The first of these SQLSTATEs the evidence reports, however the driver spelled it."""
        return next((sqlstate.condition(c) for c in codes if c in self.sqlstates), None)

    def says(self, regex: re.Pattern[str]) -> str | None:
        """The message text that matches `regex`, shortened, if any."""
        match = regex.search(self.text)
        return f"“{' '.join(match.group(0).split())[:80]}”" if match else None

    def majors(self) -> tuple[versions.Major, versions.Major] | None:
        """The failing side's server major (measured when parity saw it) and the other side's."""
        failing = versions.major_of(self.failing, self.evidence.server)
        other = versions.major_of(self.other)
        return (failing, other) if failing and other else None


Match = Callable[[Clues], str | None]


def pattern(regex: str) -> re.Pattern[str]:
    """A case-insensitive, multi-line pattern: messages are matched however a stack capitalises them."""
    return re.compile(regex, re.IGNORECASE | re.MULTILINE)


def any_of(*tests: Match) -> Match:
    """The first of these matchers that matches."""
    return lambda clues: next((found for test in tests if (found := test(clues))), None)


def all_of(first: Match, *facts: Callable[[Clues], bool]) -> Match:
    """`first`, where every fact about the failing side holds too."""
    return lambda clues: first(clues) if all(fact(clues) for fact in facts) else None


def code(*codes: str) -> Match:
    """The first of these SQLSTATEs the evidence carries, however the driver spelled it."""
    return lambda clues: clues.has(*codes)


def text(regex: str) -> Match:
    """The words of the evidence that match `regex`."""
    compiled = pattern(regex)
    return lambda clues: clues.says(compiled)


def read_clues(evidence: Evidence, baseline: Profile, target: Profile) -> Clues:
    """The failing side's evidence, minus quoted source code, with the codes and names it carries."""
    own: list[str] = []
    skip_next = False
    for line in evidence.text.splitlines():
        if skip_next:
            skip_next = False
            continue
        if _CODE_LINE.match(line):
            skip_next = line.lstrip().startswith("File ")  # the frame's source line follows
            continue
        own.append(line)
    own_text = "\n".join(own)
    declared = [_secret_names(profile) for profile in (baseline, target)]
    failing, other = (target, baseline) if evidence.side == "target" else (baseline, target)
    return Clues(evidence, own_text, sqlstate.read_codes(own_text), frozenset(declared[0] | declared[1]),
                 frozenset(declared[0] & declared[1]), failing, other)


def _secret_names(profile: Profile) -> set[str]:
    names = set(profile.secrets.values) if profile.secrets else set()
    if profile.database is not None:
        names |= {"DATABASE_URL", "DB_CA_CERT"}  # parity delivers these through secrets.source
    return names
