"""An experiment's smoke suite stopped once the tests it settles have reported: which tests pytest's
verbose output shows as over, the JUnit ids they map to, and a real pytest run stopped by SIGINT."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from parity.env.host import HostCommand, Line
from parity.explain import covers, smoke_tests
from parity.results import Divergence, ProfileRun, StepResult, TestCase
from parity.steps.smoke import SuiteProgress, junit_id


def lines(*texts: str) -> list[Line]:
    return [Line(0.0, 0.0, text) for text in texts]


def test_a_node_id_maps_to_the_id_pytest_writes_in_junit_xml() -> None:
    assert junit_id("example/smoke/test_audit.py::test_delete_is_audited") == \
        "example.smoke.test_audit::test_delete_is_audited"
    assert junit_id("tests/test_a.py::TestK::test_three[a/b::c]") == "tests.test_a.TestK::test_three[a/b::c]"


def test_a_test_is_over_once_the_next_one_has_started_not_when_its_outcome_is_printed() -> None:
    progress = SuiteProgress(frozenset({"s.test_a::test_one"}))
    # The outcome is printed, but its teardown may still report an error: not over yet.
    assert not progress(lines("collected 3 items", ""), "s/test_a.py::test_one PASSED      [ 33%]")
    assert not progress(lines("collected 3 items", "", "s/test_a.py::test_one PASSED      [ 33%]"), "s/test_a.p")
    assert progress(lines("collected 3 items", "", "s/test_a.py::test_one PASSED      [ 33%]"),
                    "s/test_a.py::test_two ")
    assert progress.finished == {"s.test_a::test_one"}


def test_every_wanted_test_must_be_over_and_a_test_never_seen_keeps_the_suite_running() -> None:
    progress = SuiteProgress(frozenset({"s.test_a::test_one", "s.test_b::test_x"}))
    assert not progress(lines("s/test_a.py::test_one PASSED [ 50%]"), "s/test_a.py::test_two ")
    assert not progress(lines("s/test_a.py::test_one PASSED [ 50%]", "s/test_a.py::test_two PASSED [100%]"), "")


def test_only_single_test_smoke_divergences_of_a_run_that_ends_at_smoke_let_the_suite_stop_early() -> None:
    test = Divergence(step="smoke", subject="smoke.test_a::test_one", baseline="passed", target="failed")
    whole = Divergence(step="smoke", subject="smoke command", baseline="passed", target="failed")
    memory = Divergence(step="resources", subject="app memory", baseline="ok", target="oom")
    migration = Divergence(step="migrations", subject="0003", baseline="ok", target="failed")
    assert smoke_tests([test, migration]) == {"smoke.test_a::test_one"}
    assert smoke_tests([test, whole]) == frozenset()
    assert smoke_tests([test, memory]) == frozenset()  # resources are measured over the whole suite
    assert smoke_tests([migration]) == frozenset()


def test_a_run_stopped_early_covers_only_the_tests_it_ran() -> None:
    ran = TestCase(id="smoke.test_a::test_one", outcome="failed")
    run = ProfileRun(name="x", steps={"database": StepResult(status="ok"), "smoke": StepResult(
        status="failed", tests=[ran], facts={"stopped_after": [ran.id]})})
    one = Divergence(step="smoke", subject=ran.id, baseline="passed", target="failed")
    other = Divergence(step="smoke", subject="smoke.test_b::test_two", baseline="passed", target="failed")
    assert covers(run, one)
    assert not covers(run, other)
    run.steps["smoke"].facts.clear()  # a whole suite: a test it did not list passed or was not there
    assert covers(run, other)


def test_a_real_pytest_suite_is_interrupted_after_the_wanted_test_and_still_writes_its_junit(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_s.py").write_text(
        "import time, pytest\n"
        "@pytest.fixture\n"
        "def slow_teardown():\n"
        "    yield\n"
        "    time.sleep(0.5)\n"
        "    raise RuntimeError('teardown')\n"
        "def test_one(slow_teardown): pass\n"
        "def test_long(): time.sleep(60)\n"
        "def test_after(): pass\n")
    junit = tmp_path / "junit.xml"
    progress = SuiteProgress(frozenset({"suite.test_s::test_one"}))
    argv = [sys.executable, "-m", "pytest", "suite", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}",
            "--verbosity=1"]
    finished = HostCommand(argv, tmp_path, timeout=120).run(enough=progress)
    assert finished.interrupted, finished.text
    assert finished.code == 2, finished.text  # pytest's exit status for an interrupted session
    cases = {f"{c.get('classname')}::{c.get('name')}": c for c in ET.parse(junit).getroot().iter("testcase")}
    # The teardown error of the wanted test was reported before the suite was stopped.
    assert cases["suite.test_s::test_one"].find("error") is not None
    assert "suite.test_s::test_after" not in cases
    assert progress.finished == {"suite.test_s::test_one"}


def test_a_command_can_be_interrupted_even_when_parity_itself_ignores_sigint(tmp_path: Path) -> None:
    # A parity started in the background of a non-interactive shell (nohup, a CI job's `&`)
    # ignores SIGINT; its commands must not inherit that, or a suite stopped early runs on.
    import signal
    probe = [sys.executable, "-c", "import signal; print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)"]
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        finished = HostCommand(probe, tmp_path, timeout=60).run()
    finally:
        signal.signal(signal.SIGINT, before)
    assert finished.code == 0, finished.text
    assert [line.text for line in finished.lines] == ["False"]
