"""What a run produces, as plain data: step results per profile, divergences, the verdict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr

from parity import __version__

Status = Literal["ok", "failed", "skipped", "error"]
Verdict = Literal["parity", "divergent", "error"]
# confirmed: an experiment reproduced the divergence by flipping that key alone (or that pair);
# suspected: the error class points at that key; unknown: neither.
CauseConfidence = Literal["confirmed", "suspected", "unknown"]
# Every step of a run, in order, and for those that run only when a profile asks for them, the
# profile key that asks (Profile.asks). After resources, which reads the first replicas' peaks
# while they run: replace them (rollout), then stop them (shutdown).
STEPS: tuple[tuple[str, str | None], ...] = (
    ("database", None), ("data", "data"), ("migrations", None), ("startup", None), ("smoke", None),
    ("resources", None), ("rollout", "app.rollout"), ("shutdown", "app.shutdown"),
)
STEP_NAMES = tuple(name for name, _ in STEPS)
ASKED_FOR = {name: key for name, key in STEPS if key is not None}


@dataclass(frozen=True)
class Focus:
    """What a run must show (an experiment's): the steps through `up_to`; its smoke suite stopped
    once the `smoke_until` tests have reported (empty: the whole suite); `migrations`: whether the
    migrations are watched by the lock monitor and the schema they left is read (an experiment
    that settles no divergence of the migrations, the schema or a rollback does without both)."""

    up_to: str = STEP_NAMES[-1]
    smoke_until: frozenset[str] = frozenset()
    migrations: bool = True


WHOLE_RUN = Focus()  # every step, the whole suite, the migrations watched: a run that is no experiment


class Measures(BaseModel):
    """What one revision did to the database and its traffic, seen by a rehearsal (data, traffic
    or budgets in the profile); the lock monitor samples every few tens of milliseconds."""

    strongest_lock: str | None = None  # the strongest table lock it held: "AccessExclusiveLock on notes"
    lock_wait_s: float = 0.0  # the longest it waited to get a lock
    writes_blocked_s: float = 0.0  # the longest it held a lock that blocks writes (SHARE or stronger)
    blocked_queries: int = 0  # traffic queries that waited on it
    longest_block_s: float = 0.0  # the longest of those waits
    traffic_errors: int = 0  # errors the traffic saw while it ran
    traffic_error: str = ""  # the first of them
    rewritten: list[str] = Field(default_factory=list)  # tables whose file changed (pg_class.relfilenode)
    lock_timeout: str | None = None  # "none", "2s (session default)", "set by the revision: ..."; None: unknown
    # What migrations.lock_budget is held against: the traffic's longest block when traffic ran,
    # else the longest the revision blocked writes.
    blocking_s: float = 0.0
    blocking_basis: Literal["traffic", "locks"] = "locks"


class SampleFigures(BaseModel):
    """A revision's figures in the rehearsal at one sample size (data.extrapolate)."""

    rows: int  # the largest table's rows in that sample
    blocking_s: float
    writes_blocked_s: float
    duration_s: float


class FitQuality(BaseModel):
    """How one figure was extrapolated: the model chosen and how well it held."""

    model: Literal["constant", "linear", "n log n"]
    r2: float | None  # over every sample; None when they do not vary
    left_out_error: float | None  # relative miss predicting the largest sample from the smaller ones


class Estimate(BaseModel):
    """A revision's figures at production's size, fitted from rehearsals at sample sizes (data.extrapolate):
    an estimate, not a measurement."""

    rows: int  # production's rows in the largest table of data.rows
    blocking_s: float  # what migrations.lock_budget is held against, as Measures.blocking_s
    writes_blocked_s: float
    duration_s: float
    fits: dict[str, FitQuality]  # figure name -> its fit
    samples: list[SampleFigures]


class RoundTrip(BaseModel):
    """A revision downgraded and upgraded again (migrations.rollback)."""

    downgrade: Status = "skipped"
    downgrade_s: float = 0.0
    upgrade: Status = "skipped"  # upgraded again, after everything above it came down
    upgrade_s: float = 0.0
    error: str = ""  # the failing downgrade's or upgrade's error
    # What differs between the schema with the revision applied first and after the round trip.
    schema_changes: list[str] = Field(default_factory=list)

    @property
    def broken(self) -> bool:
        """Whether the round trip failed or changed the schema."""
        return "failed" in (self.downgrade, self.upgrade) or bool(self.schema_changes)


class Revision(BaseModel):
    """One migration revision (Alembic) and what happened to it."""

    id: str
    description: str = ""
    status: Status = "skipped"
    duration_s: float = 0.0
    error: str = ""
    measures: Measures | None = None
    estimate: Estimate | None = None  # at production's size, when rehearsed at sample sizes
    rollback: RoundTrip | None = None
    # When the tool said it started and finished (time.time()), to attribute what was seen meanwhile.
    _window: tuple[float, float] | None = PrivateAttr(default=None)


class TestCase(BaseModel):
    """One smoke test (pytest id) or declarative HTTP check, and its outcome."""

    __test__ = False  # a result, not a pytest test class

    id: str
    outcome: Literal["passed", "failed", "error", "skipped"]
    duration_s: float = 0.0
    message: str = ""


class StepResult(BaseModel):
    """One step in one profile: status, duration, a one-line summary, evidence, step-specific data."""

    status: Status
    duration_s: float = 0.0
    summary: str = ""
    detail: str = ""
    # database: server_version, engine, ssl; startup: ready_s, budget_s, exit_code, oom_killed;
    # resources: app_peak_bytes, app_limit_bytes, db_peak_bytes, db_limit_bytes, app_oom_killed
    facts: dict[str, Any] = Field(default_factory=dict)
    revisions: list[Revision] = Field(default_factory=list)
    tests: list[TestCase] = Field(default_factory=list)
    schema_snapshot: dict[str, Any] | None = Field(default=None, alias="schema")

    model_config = {"populate_by_name": True}


class ProfileRun(BaseModel):
    """Everything one profile did, step by step."""

    name: str
    description: str = ""
    steps: dict[str, StepResult] = Field(default_factory=dict)
    duration_s: float = 0.0


class Experiment(BaseModel):
    """One experiment behind a cause: which keys were flipped, and whether the divergence came back.

    apply: the baseline ran with the target's values of `keys`; reproduced = it then diverged the
    same way. revert: the target ran with the baseline's values of `keys`; reproduced = it still
    diverged (so those keys alone are not necessary).
    """

    keys: list[str]
    reproduced: bool
    duration_s: float = 0.0
    kind: Literal["apply", "revert"] = "apply"
    note: str | None = None


class Divergence(BaseModel):
    """One place where the target behaved differently from the baseline (or both failed)."""

    step: str
    subject: str
    baseline: str
    target: str
    detail: str = ""
    # The profile key responsible (two joined by " + " when only a pair reproduces it), or None.
    cause: str | None = None
    cause_confidence: CauseConfidence = "unknown"
    # Why the cause is what it is, in a sentence: the error class, or the experiment that settled it.
    cause_note: str = ""
    # The suspicion's next keys, in the order explain tries them after `cause` (not reported).
    cause_next: list[str] = Field(default_factory=list, exclude=True)
    experiments: list[Experiment] = Field(default_factory=list)
    # What to do about it, when the evidence says (a failure on both sides that is a program or
    # module not found where the command ran: point parity at the app's environment).
    fix: str = ""


class RunResult(BaseModel):
    """A whole run: both profiles, the divergences between them, and the verdict."""

    parity_version: str = __version__
    verdict: Verdict
    baseline: str
    target: str
    profiles: dict[str, ProfileRun]
    divergences: list[Divergence] = Field(default_factory=list)
    # Steps that failed on BOTH sides: not a divergence, but not parity either (SPEC).
    failures: list[Divergence] = Field(default_factory=list)
    duration_s: float = 0.0

    @property
    def exit_code(self) -> int:
        """0 parity, 1 divergent (or both sides failed), 3 when parity could not run a side."""
        return {"parity": 0, "divergent": 1}.get(self.verdict, 3)

    def to_json_dict(self) -> dict[str, Any]:
        """The SPEC's JSON report."""
        return self.model_dump(mode="json", by_alias=True)
