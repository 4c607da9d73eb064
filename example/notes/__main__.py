"""Entry point: ``python -m notes`` serves HTTP on 0.0.0.0:$PORT (default 8000).

One process, a few threads (waitress). No pre-fork workers on purpose: PID 1 in
the container is this process, so if the kernel OOM-kills it the container
exits with 137 / OOMKilled=true, exactly as a production pod would.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from types import FrameType

from waitress import serve

from . import config
from .app import create_app


def _stop(signum: int, _frame: FrameType | None) -> None:
    # As PID 1 the process ignores SIGTERM unless it installs a handler;
    # without this `docker stop` would wait for its SIGKILL timeout.
    raise SystemExit(128 + signum)


def main() -> None:
    """Configure logging and serve until SIGTERM/SIGINT."""
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stdout,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    signal.signal(signal.SIGTERM, _stop)
    port = int(os.environ.get("PORT", "8000"))
    logging.getLogger("notes").info(
        "starting notes (APP_ENV=%s) on port %d", config.app_env(), port
    )
    serve(create_app(), host="0.0.0.0", port=port, threads=4, ident="notes")


if __name__ == "__main__":
    main()
