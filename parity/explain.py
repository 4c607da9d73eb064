"""Causes by experiment: run the baseline with one group of the target's keys, each run only as far
as the divergences it can still settle; the group whose flip alone reproduces a divergence is its
confirmed cause. Where no single group does: revert groups in the target to find the ones that
matter, then try the smallest pairs, within a bound. Running a profile is the caller's part
(`execute`); this module decides what to run and what the results mean.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from parity.causes.keys import Flip, KeyGroup, apply_group, differing_groups, revert_group
from parity.diff import NO_BUDGETS, Budgets, compare_runs, same_engine
from parity.errors import ParityError
from parity.profile.models import Profile
from parity.results import STEP_NAMES, Divergence, Experiment, Focus, ProfileRun

STEP_ORDER = STEP_NAMES
# A run the caller makes: this profile, only as far and as closely as the focus says (focus_on).
Execute = Callable[[Profile, Focus], ProfileRun]
# The steps whose divergences need the migrations watched by the lock monitor or the schema read.
MEASURED_STEPS = ("migrations", "schema", "rollback")
MAX_EXPERIMENTS = 32


def up_to_step(divergence: Divergence) -> str:
    """The last step an experiment must run to show this divergence: a migration divergence needs
    no app and no smoke tests; a schema difference and a failed rollback are the migrations'."""
    step = "migrations" if divergence.step in ("schema", "rollback") else divergence.step
    return step if step in STEP_ORDER else STEP_ORDER[-1]


def smoke_tests(divergences: Iterable[Divergence]) -> frozenset[str]:
    """The tests a run through the smoke step must see report to show these divergences: their
    subjects, when every smoke divergence is one test's (a runner's id, path::name); empty (the
    whole suite) when one is not (the suite as a whole, a failover's recovery, an HTTP check) or
    when a later step needs the suite to run to its end (resources measured over all of it)."""
    divergences = list(divergences)
    if deepest_step(divergences) != "smoke":
        return frozenset()
    subjects = [d.subject for d in divergences if d.step == "smoke"]
    if not subjects or any("::" not in s or s.startswith("http:") for s in subjects):
        return frozenset()
    return frozenset(subjects)


def focus_on(divergences: Iterable[Divergence]) -> Focus:
    """What a run must show to settle these divergences: the steps through the deepest one they
    need, the smoke tests to wait for, and whether the migrations must be measured (only for a
    divergence of the migrations, the schema or a rollback; smoke, startup and resources
    divergences are not read from the lock monitor's samples or the schema)."""
    divergences = list(divergences)
    return Focus(up_to=deepest_step(divergences), smoke_until=smoke_tests(divergences),
                 migrations=any(d.step in MEASURED_STEPS for d in divergences))


def covers(run: ProfileRun, divergence: Divergence) -> bool:
    """Whether the run went far enough to show the divergence: through its step, and, for a
    smoke suite stopped early, through its test."""
    if up_to_step(divergence) not in run.steps:
        return False
    smoke = run.steps.get("smoke")
    if divergence.step != "smoke" or smoke is None or "stopped_after" not in smoke.facts:
        return True
    return any(case.id == divergence.subject for case in smoke.tests)


def deepest_step(divergences: Iterable[Divergence]) -> str:
    """The last step needed to show all of these divergences."""
    return max((up_to_step(d) for d in divergences), key=STEP_ORDER.index, default=STEP_ORDER[0])


def reproduces(divergence: Divergence, baseline_run: ProfileRun, experiment_run: ProfileRun, *,
               same_engine: bool = True, budgets: Budgets = NO_BUDGETS) -> bool | None:
    """Whether the experiment diverged from the baseline in the same step on the same subject.

    None when it cannot tell: the experiment's database never started, or the run ended before
    that step (or, its smoke suite stopped early, before that test).
    """
    database = experiment_run.steps.get("database")
    if not covers(experiment_run, divergence) or (database and database.status == "error"):
        return None
    found = compare_runs(baseline_run, experiment_run, same_engine=same_engine, budgets=budgets).divergences
    return any(f.divergence.step == divergence.step and f.divergence.subject == divergence.subject for f in found)


@dataclass(frozen=True)
class Plan:
    """What explain tries, in order: each differing group applied alone, then pairs of groups."""

    singles: list[Flip]
    pairs: list[Flip]  # the pairs that can be built, in the order they would be tried
    max_experiments: int = MAX_EXPERIMENTS

    @property
    def left_out(self) -> int:
        """Pairs the bound leaves no room for once every single group has run."""
        room = max(0, self.max_experiments - sum(1 for f in self.singles if f.profile is not None))
        return max(0, len(self.pairs) - room)


def plan(baseline: Profile, target: Profile, *, first: Sequence[KeyGroup] = (), prefer: Sequence[KeyGroup] = (),
         max_experiments: int = MAX_EXPERIMENTS) -> Plan:
    """The search plan: every differing group applied alone (`first` leading: the suspected
    ones), then every pair of groups that can be built: both in `prefer` first (groups whose
    revert removed a divergence), then one, then fewest keys."""
    groups = differing_groups(baseline, target)
    singles = [apply_group(baseline, target, g) for g in _ordered(groups, first)]
    pairs = [apply_group(baseline, target, a, b) for a, b in _pairs(groups, prefer)]
    return Plan(singles, [p for p in pairs if p.profile is not None], max_experiments)


def _ordered(groups: list[KeyGroup], first: Sequence[KeyGroup]) -> list[KeyGroup]:
    leading = [g for g in dict.fromkeys(first) if g in groups]
    return leading + [g for g in groups if g not in leading]


def _pairs(groups: list[KeyGroup], prefer: Iterable[KeyGroup]) -> list[tuple[KeyGroup, KeyGroup]]:
    """Pairs of groups: both preferred first, then one, then fewest keys, then profile order."""
    preferred = set(prefer)
    order = {g: i for i, g in enumerate(groups)}
    return sorted(itertools.combinations(groups, 2), key=lambda p: (
        -sum(g in preferred for g in p), len(p[0].keys) + len(p[1].keys), order[p[0]], order[p[1]]))


def _identity(flip: Flip) -> tuple[str, ...]:
    """What makes two flips the same run: applied or reverted, and the keys."""
    return (flip.kind, *flip.keys)


@dataclass
class _Case:
    """One divergence being explained, and what the experiments said about it so far."""

    divergence: Divergence
    experiments: list[Experiment] = field(default_factory=list)
    cause: str | None = None
    note: str = ""
    needed_by_revert: list[KeyGroup] = field(default_factory=list)
    tried_pairs: bool = False
    answers: dict[tuple[str, ...], bool | None] = field(default_factory=dict)  # flipped keys -> said

    @property
    def settled(self) -> bool:
        return self.cause is not None


@dataclass(frozen=True)
class Sides:
    """What the experiments start from: both profiles, the names the notes give them, and the
    baseline's own run, which each experiment's run is compared with."""

    baseline: Profile
    target: Profile
    baseline_run: ProfileRun
    names: tuple[str, str] = ("baseline", "target")


def explain(divergences: list[Divergence], sides: Sides, execute: Execute, *, workers: int = 1,
            max_experiments: int = MAX_EXPERIMENTS) -> list[Divergence]:
    """Each divergence with its cause settled by experiment: `confirmed` with the experiments
    behind it, or `unknown` when no flip within the bound reproduces it.

    `execute(profile, focus)` runs one profile as far and as closely as the focus says (see
    focus_on: its steps, the smoke tests to wait for, whether the migrations are measured); up to
    `workers` run at once, and at most `max_experiments` in all. A ParityError from it (no
    engine, ...) ends the search and propagates; any other exception is that experiment's result.
    """
    baseline, target = sides.baseline, sides.target
    cases = [_Case(d) for d in divergences]
    groups = differing_groups(baseline, target)
    search = _Search(execute, workers, max_experiments, sides)
    search.budgets = Budgets.of(target)  # an experiment crosses the target's budgets, or not
    if not groups:
        return [search.finish(c, "the profiles do not differ in any key: nothing to flip") for c in cases]
    suspected = [g for c in cases for g in groups if c.divergence.cause in g.keys]
    # Then the suspicions' next keys, in their rules' order, before the rest of the differing keys.
    following = [g for c in cases for k in c.divergence.cause_next for g in groups if k in g.keys]
    # First each suspicion on its own, asked only by the divergences that suspect it and run only
    # as far as they need: where the error already points at the right key, one short run each.
    first = [apply_group(baseline, target, g) for g in dict.fromkeys(suspected)]
    search.run(first, cases, settles=True,
               asks=[[c for c in cases if c.divergence.cause in flip.groups[0].keys] for flip in first])
    search.run(plan(baseline, target, first=[*suspected, *following]).singles, cases, settles=True)
    open_cases = [c for c in cases if not c.settled]
    if open_cases and len(groups) > 1:
        if len(groups) > 3:  # more pairs than groups: first learn which groups matter, by reverting each
            reverts = [revert_group(baseline, target, g) for g in groups]
            answers = search.run(reverts, open_cases, settles=False)
            for case in open_cases:
                case.needed_by_revert = [flip.groups[0] for flip, said in zip(reverts, answers, strict=True)
                                         if said.get(id(case)) is False]
        needed = [g for c in open_cases for g in c.needed_by_revert]
        for case in open_cases:
            case.tried_pairs = True
        search.run(plan(baseline, target, first=suspected, prefer=needed).pairs, open_cases, settles=True)
    return [search.finish(c) for c in cases]


class _Search:
    """Runs flips through `execute`, at most `workers` at once and `budget` in all, recording
    what each said about the divergences that still needed it."""

    def __init__(self, execute: Execute, workers: int, budget: int, sides: Sides) -> None:
        self.execute, self.workers, self.budget = execute, max(1, workers), budget
        self.baseline, self.baseline_run, self.names = sides.baseline, sides.baseline_run, sides.names
        self.used = 0
        self.not_tried = 0
        self.budgets = NO_BUDGETS
        # Runs made so far, by the keys flipped: a later pass asks them again instead of rerunning.
        self.done: dict[tuple[str, ...], tuple[ProfileRun | None, float, str]] = {}
        self.measured: dict[tuple[str, ...], bool] = {}  # whether each run measured its migrations

    def run(self, flips: list[Flip], cases: list[_Case], *, settles: bool,
            asks: list[list[_Case]] | None = None) -> list[dict[int, bool | None]]:
        """Run the flips in order (each only if some case still needs it; `asks`: only these cases
        per flip); with `settles`, a case is settled by the first flip in this order that
        reproduces it. A flip already run deep enough is not run again. Per flip: case id -> said."""
        said: list[dict[int, bool | None]] = [{} for _ in flips]
        asked: list[list[_Case]] = [[] for _ in flips]
        pending: dict[Future[tuple[ProfileRun | None, float, str]], int] = {}
        submitted = 0
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="parity-explain") as pool:
            try:
                while True:
                    while len(pending) < self.workers and submitted < len(flips):
                        k, submitted = submitted, submitted + 1
                        wanting = [c for c in (asks[k] if asks else cases) if self._needs(c, k, said, settles)]
                        asked[k] = wanting
                        # A case that already has this flip's answer (an earlier pass) keeps it.
                        flipped = _identity(flips[k])
                        for case in [c for c in wanting if flipped in c.answers]:
                            said[k][id(case)] = case.answers[flipped]
                        wanting = [c for c in wanting if flipped not in c.answers]
                        if wanting and not self._reuse(flips[k], wanting, said[k]):
                            self._start(pool, pending, flips[k], k, wanting, said)
                    if settles:
                        for case in cases:
                            self._settle(case, flips, said, asked, submitted)
                    if not pending:
                        return said
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        k = pending.pop(future)
                        outcome = future.result()
                        self.done[_identity(flips[k])] = outcome
                        self._record(flips[k], outcome, asked[k], said[k])
            finally:
                for future in pending:
                    future.cancel()

    def _needs(self, case: _Case, k: int, said: list[dict[int, bool | None]], settles: bool) -> bool:
        # A case needs no later flip once an earlier one in the order reproduced it.
        return not case.settled and not (settles and any(s.get(id(case)) for s in said[:k]))

    def _reuse(self, flip: Flip, cases: list[_Case], said: dict[int, bool | None]) -> bool:
        """Answer from an earlier run of the same flip, if it went as far as these cases need."""
        earlier = self.done.get(_identity(flip))
        if earlier is None or earlier[0] is None:
            return False
        if not all(covers(earlier[0], c.divergence) for c in cases):
            return False
        if not self.measured[_identity(flip)] and focus_on(c.divergence for c in cases).migrations:
            return False  # its migrations ran unwatched: no measures, no schema to compare
        self._record(flip, earlier, cases, said)
        return True

    def _start(self, pool: ThreadPoolExecutor, pending: dict[Future[tuple[ProfileRun | None, float, str]], int],
               flip: Flip, k: int, wanting: list[_Case], said: list[dict[int, bool | None]]) -> None:
        if flip.profile is None:
            for case in wanting:
                said[k][id(case)] = None
                case.experiments.append(Experiment(keys=flip.keys, reproduced=False, kind=flip.kind,
                                                   note=f"not run: cannot be built: {flip.unbuildable}"))
            return
        if self.used >= self.budget:
            self.not_tried += 1
            for case in wanting:
                said[k][id(case)] = None
            return
        self.used += 1
        focus = focus_on(c.divergence for c in wanting)
        self.measured[_identity(flip)] = focus.migrations
        pending[pool.submit(self._timed, flip.profile, focus)] = k

    def _timed(self, profile: Profile, focus: Focus) -> tuple[ProfileRun | None, float, str]:
        started = time.monotonic()
        try:
            return self.execute(profile, focus), round(time.monotonic() - started, 3), ""
        except ParityError:
            raise
        except Exception as exc:  # noqa: BLE001 - one experiment that breaks is a result, not the end
            return None, round(time.monotonic() - started, 3), f"{type(exc).__name__}: {exc}"

    def _record(self, flip: Flip, outcome: tuple[ProfileRun | None, float, str], cases: list[_Case],
                said: dict[int, bool | None]) -> None:
        run, duration, error = outcome
        assert flip.profile is not None
        alike = same_engine(self.baseline, flip.profile)
        for case in cases:
            answer = None if run is None else reproduces(case.divergence, self.baseline_run, run, same_engine=alike,
                                                         budgets=self.budgets)
            said[id(case)] = answer
            case.answers[_identity(flip)] = answer
            note = f"could not run: {error}" if error else \
                "could not tell: the run did not reach that step" if answer is None else None
            case.experiments.append(Experiment(keys=flip.keys, reproduced=bool(answer), duration_s=duration,
                                               kind=flip.kind, note=note))

    def _settle(self, case: _Case, flips: list[Flip], said: list[dict[int, bool | None]],
                asked: list[list[_Case]], submitted: int) -> None:
        """Settle on the first flip, in order, that reproduced the case, once every earlier flip
        the case asked for has answered (so concurrency does not change the answer)."""
        if case.settled:
            return
        for k, flip in enumerate(flips):
            if k >= submitted:
                return
            if case not in asked[k]:
                continue
            if id(case) not in said[k]:
                return  # still running
            if said[k][id(case)]:
                case.cause = flip.name
                case.note = self._confirmed(flip)
                return

    def _confirmed(self, flip: Flip) -> str:
        base, target = self.names
        keys = ", ".join(flip.keys)
        if len(flip.groups) == 1:
            return f"{base} with only {target}'s {keys} reproduced it"
        return f"no single key reproduced it; {base} with {target}'s {keys} together did"

    def finish(self, case: _Case, why: str = "") -> Divergence:
        """The divergence with its settled cause, its experiments, and a note saying how."""
        if case.settled:
            return case.divergence.model_copy(update={
                "cause": case.cause, "cause_confidence": "confirmed", "cause_note": case.note,
                "experiments": case.experiments})
        ran = sum(1 for e in case.experiments if not (e.note or "").startswith("not run"))
        tried = "no single key or pair" if case.tried_pairs else "no single key"
        parts = [why or f"{tried} reproduced it ({ran} experiment{'' if ran == 1 else 's'})"]
        if self.not_tried:
            parts.append(f"the search stopped at its bound of {self.budget} experiments ({self.not_tried} not tried)")
        if case.needed_by_revert:
            parts.append(f"reverting {', '.join(g.name for g in case.needed_by_revert)} alone in "
                         f"{self.names[1]} removed it")
        if case.divergence.cause_confidence == "suspected":
            parts.append(f"the error suggested {case.divergence.cause}, which did not reproduce it alone")
        return case.divergence.model_copy(update={"cause": None, "cause_confidence": "unknown",
                                                  "cause_note": "; ".join(parts), "experiments": case.experiments})

