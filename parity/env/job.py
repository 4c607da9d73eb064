"""A one-shot container with a timeout, beside `HostCommand`: created with its labels, its output
read as it comes (Docker's attach stream, timed here), killed at the timeout, removed whatever
happens. Release jobs (migrations run_in: app) and restores of a dump run this way."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import docker.errors

from parity.env.host import Finished, Line, LineSplitter
from parity.env.placement import Placement
from parity.errors import EnvError


class ProgramMissing(Exception):
    """The container's program does not exist in its image (the engine could not start it)."""


@dataclass(frozen=True)
class ContainerJob:
    """What to run: the image, its command, its role in the environment (the container's name and
    labels), and the rest of docker create()'s options (environment, volumes, entrypoint...)."""

    image: str
    command: list[str]
    role: str
    timeout: float
    options: dict[str, Any] = field(default_factory=dict)

    def run(self, placement: Placement, on_line: Callable[[Line], None] | None = None) -> Finished:
        """Run to the end or the timeout (code None); raises ProgramMissing when it cannot start."""
        placement.check_open()
        try:
            container = placement.client.containers.create(
                self.image, command=self.command, name=placement.name(self.role), network=placement.network,
                labels=placement.labels(self.role), **self.options)
        except docker.errors.APIError as exc:
            raise EnvError(f"cannot create the {self.role} container: {exc.explanation or exc}", None) from None
        splitter = LineSplitter(on_line)
        started = time.time()
        code: int | None
        try:
            stream = container.attach(stdout=True, stderr=True, stream=True, logs=True)
            reader = threading.Thread(target=_pump, args=(stream, splitter), daemon=True, name=f"parity-{self.role}")
            reader.start()
            try:
                container.start()
            except docker.errors.APIError as exc:
                if "executable file not found" in str(exc) or "no such file or directory" in str(exc):
                    raise ProgramMissing(str(exc)) from None
                raise
            try:
                code = int(container.wait(timeout=self.timeout)["StatusCode"])
            except Exception:  # noqa: BLE001 - the SDK raises a requests timeout when the wait runs out
                code = None
                with contextlib.suppress(docker.errors.APIError):
                    container.kill()
            reader.join(timeout=10)
        finally:
            with contextlib.suppress(docker.errors.APIError):
                container.remove(force=True)
        return Finished(code=code, lines=splitter.close(time.time()), started=started)


def _pump(stream: Iterable[bytes], splitter: LineSplitter) -> None:
    with contextlib.suppress(Exception):  # the stream ends with an error when the container is removed
        for chunk in stream:
            splitter.feed(chunk, time.time())
