"""Commands on this machine (host migrations, smoke tests, the user's tools), run the way the user's
shell would run them: their environment and PATH (or the profile's virtualenv first), never parity's
own interpreter ahead of them; bounded by a timeout and killed with the environment that started them."""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from parity.engine.cleanup import state_root
from parity.errors import UsageError
from parity.profile.models import HostSpec

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Line:
    """One line of output: when its first byte arrived, when it was complete, and its text."""

    started: float
    ended: float
    text: str


@dataclass
class Finished:
    """A command that ended (or was killed at its timeout): exit code and output lines with their times."""

    code: int | None  # None: killed at the timeout
    lines: list[Line]
    started: float
    not_found: str | None = None  # the program that does not exist, when it could not start
    interrupted: bool = False  # stopped (SIGINT) once `enough` said what was wanted from it was known

    @property
    def text(self) -> str:
        """The whole output."""
        return "\n".join(line.text for line in self.lines)


class Supervisor(Protocol):
    """What owns a host process: it kills the process when it is torn down."""

    closed: threading.Event

    def track(self, process: subprocess.Popen[bytes]) -> None: ...

    def check_open(self) -> None: ...


class LineSplitter:
    """Chunks of output (as a pipe or Docker's attach stream delivers them) -> timed lines.

    A line's start is when its first byte arrived, so a tool that prints "Applying X..." and
    " OK" later (Django) gives that step's real duration."""

    def __init__(self, on_line: Callable[[Line], None] | None = None) -> None:
        self.lines: list[Line] = []
        self._partial = b""
        self._since = 0.0
        self._on_line = on_line  # told of each line as it completes (a rehearsal marks revisions)

    def feed(self, chunk: bytes, at: float) -> None:
        """Add a chunk that arrived at time `at`."""
        while chunk:
            if not self._partial:
                self._since = at
            head, newline, chunk = chunk.partition(b"\n")
            self._partial += head
            if not newline:
                return
            self._emit(at)

    @property
    def unfinished(self) -> str:
        """The last line so far, not yet terminated (a test runner's name of the test it runs)."""
        return self._partial.decode(errors="replace")

    def close(self, at: float) -> list[Line]:
        """The stream ended: the last unterminated line counts too."""
        if self._partial:
            self._emit(at)
        return self.lines

    def _emit(self, at: float) -> None:
        text = self._partial.decode(errors="replace").rstrip("\r")
        line = Line(self._since, at, text)
        self.lines.append(line)
        self._partial = b""
        if self._on_line is not None:
            self._on_line(line)


def venv_dir(spec: HostSpec | None, root: Path) -> Path | None:
    """The profile's host.venv as an absolute path, checked to be a virtualenv (None when not set)."""
    if spec is None or not spec.venv:
        return None
    path = Path(spec.venv).expanduser()
    path = path if path.is_absolute() else root / path
    if not (path / "bin").is_dir():
        raise UsageError(
            f"host.venv: {path} is not a virtualenv (it has no bin/ directory)",
            f"create it (python -m venv {spec.venv} and install your app's tools into it), "
            "or remove host.venv to use the PATH parity is started with",
        )
    return path


def environment_fix(spec: HostSpec | None, *, node: bool = False) -> str:
    """How to point host commands at the app's own environment (a program or module not found;
    `node`: Node's words for it)."""
    if node:
        return ("install the app's packages (npm install in the project) and have node on the PATH parity "
                "is started with; variables for host commands go in host.env")
    if spec is not None and spec.venv:
        return (f"install the app's tools and requirements into the virtualenv host.venv names ({spec.venv}: "
                f"{spec.venv}/bin/pip install -r requirements.txt, or -e .), or fix host.venv")
    return ("name the app's virtualenv in the profile (host.venv: .venv) or activate it before running parity; "
            "variables for host commands go in host.env")


def user_environment(spec: HostSpec | None, root: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The caller's environment, with the profile's virtualenv activated if it names one."""
    env = dict(os.environ if base is None else base)
    venv = venv_dir(spec, root)
    if venv is not None:
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(venv)
        env.pop("PYTHONHOME", None)
    return env


def find_program(program: str, env: Mapping[str, str], cwd: Path) -> str | None:
    """Where `program` resolves with this environment's PATH (or relative to cwd), else None."""
    if os.sep in program:
        path = Path(program) if Path(program).is_absolute() else cwd / program
        return str(path) if path.is_file() else None
    return shutil.which(program, path=env.get("PATH", ""))


@contextlib.contextmanager
def shared_file_lock(key: str) -> Iterator[None]:
    """Hold an exclusive lock named by `key`, across threads and parity processes of this user
    (for host commands that write the same files, such as a runner's JUnit report)."""
    locks = state_root() / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    path = locks / hashlib.sha256(key.encode()).hexdigest()[:24]
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _die_with_parent() -> None:
    # Linux: the child gets SIGKILL when the thread that spawned it dies, so even a SIGKILLed
    # parity leaves no smoke suite or migration running behind it.
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        # SIGINT back to its default: a parity started in the background of a non-interactive
        # shell (nohup, a CI job's `&`) ignores SIGINT, the child would inherit that, and a suite
        # stopped early (see `enough`) would run on until SIGKILL, with no JUnit report written.
        # libc's signal(), not Python's: this runs in the forked child, before exec.
        libc.signal.argtypes = [ctypes.c_int, ctypes.c_void_p]
        libc.signal.restype = ctypes.c_void_p
        libc.signal(signal.SIGINT, None)  # NULL: SIG_DFL


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill a host command and everything it started (its process group), if it still runs."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


@dataclass
class HostCommand:
    """A user's command on this machine: argv, where it runs, its environment, its time limit."""

    argv: list[str]
    cwd: Path
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    timeout: float = 300.0

    def run(self, owner: Supervisor | None = None, on_line: Callable[[Line], None] | None = None,
            enough: Enough | None = None) -> Finished:
        """Run to the end (or the timeout, or the owner's teardown); output merged into one pipe
        (`on_line` hears each line as it comes). Once `enough` says the output so far holds all
        that is wanted, the command gets SIGINT (and SIGKILL after INTERRUPT_GRACE)."""
        started = time.time()
        # The program is looked up with the user's PATH, not parity's: Popen alone would search
        # the PATH of parity's own process.
        program = find_program(self.argv[0], self.env, self.cwd)
        if program is None:
            return Finished(code=127, lines=[], started=started, not_found=self.argv[0])
        try:
            process = subprocess.Popen(
                [program, *self.argv[1:]], cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        except (FileNotFoundError, PermissionError):
            return Finished(code=127, lines=[], started=started, not_found=self.argv[0])
        satisfied = threading.Event()
        code, lines = _supervise(process, self.timeout, owner, on_line, (enough, satisfied))
        return Finished(code=code, lines=lines, started=started, interrupted=satisfied.is_set())


# Asked after each chunk of output with the lines so far and the unfinished last one: whether the
# command has said everything wanted from it.
Enough = Callable[[list[Line], str], bool]
# How long a command stopped with SIGINT gets to write its reports (a JUnit file) before SIGKILL.
INTERRUPT_GRACE = 10.0


def _supervise(process: subprocess.Popen[bytes], timeout: float, owner: Supervisor | None,
               on_line: Callable[[Line], None] | None = None,
               stop: tuple[Enough | None, threading.Event] | None = None) -> tuple[int | None, list[Line]]:
    """Read a process's output with times until it exits, or the timeout (or a teardown) kills its
    group; `stop`: interrupt it once the output says enough (the event records that it did)."""
    if owner is not None:
        owner.track(process)
    splitter = LineSplitter(on_line)
    enough, satisfied = stop if stop is not None else (None, threading.Event())

    def read() -> None:
        assert process.stdout is not None
        fd = process.stdout.fileno()
        while chunk := os.read(fd, 65536):
            splitter.feed(chunk, time.time())
            if enough is not None and not satisfied.is_set() and enough(splitter.lines, splitter.unfinished):
                satisfied.set()

    reader = threading.Thread(target=read, daemon=True, name="parity-host-output")
    reader.start()
    deadline = time.monotonic() + timeout
    interrupted_at: float | None = None
    code: int | None
    while True:
        try:
            code = process.wait(timeout=0.1 if enough is not None else 0.2)
            break
        except subprocess.TimeoutExpired:
            now = time.monotonic()
            if satisfied.is_set() and interrupted_at is None:
                interrupted_at = now
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGINT)
            late = interrupted_at is not None and now > interrupted_at + INTERRUPT_GRACE
            if now > deadline or late or (owner is not None and owner.closed.is_set()):
                kill_group(process)
                process.wait()
                code = None
                break
    reader.join(timeout=5)
    if process.stdout is not None and not reader.is_alive():
        process.stdout.close()
    if owner is not None:
        owner.check_open()
    return code, splitter.close(time.time())
