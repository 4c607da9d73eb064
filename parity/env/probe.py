"""Startup probes with Kubernetes semantics: one attempt of http, tcp or exec."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from typing import Any

from parity.profile.models import StartupProbe

# Without a probe in the profile, wait for the port like a tcp probe, with a generous budget.
DEFAULT_PROBE = StartupProbe(tcp=True, period=1.0, failure_threshold=60)


def probe_once(probe: StartupProbe, container: Any, host_port: int | None) -> tuple[bool, str]:
    """One probe attempt: (success, what was seen). `host_port`: where this machine reaches the port
    the probe goes to (app.startup_probe.port, else app.port)."""
    if probe.kind == "exec":
        assert probe.exec is not None
        try:
            code, output = container.exec_run(probe.exec, demux=False)
        except Exception as exc:  # noqa: BLE001 - a stopped container fails the attempt, like the kubelet
            return False, f"exec failed: {exc}"
        return code == 0, f"exit {code}: {(output or b'').decode(errors='replace').strip()[:200]}"
    if host_port is None:
        return False, f"port {probe.port} is not published" if probe.port else "the app port is not published"
    if probe.kind == "tcp":
        return _tcp_probe(host_port, probe.timeout)
    url = f"http://127.0.0.1:{host_port}{probe.http}"
    try:
        with urllib.request.urlopen(url, timeout=probe.timeout) as response:  # noqa: S310 - loopback only
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (OSError, ValueError) as exc:
        return False, f"GET {probe.http}: {getattr(exc, 'reason', exc)}"
    # The kubelet counts 200-399 as success.
    return 200 <= status < 400, f"GET {probe.http} -> {status}"


def _tcp_probe(host_port: int, timeout: float) -> tuple[bool, str]:
    # Docker's port proxy accepts a connection even when nothing listens in the container, then
    # closes it at once. A listening app keeps the connection open (or talks): wait a moment to tell.
    try:
        with socket.create_connection(("127.0.0.1", host_port), timeout=timeout) as sock:
            sock.settimeout(min(timeout, 0.25))
            try:
                data = sock.recv(1)
            except TimeoutError:
                return True, "connected"
            except OSError as exc:
                return False, f"connection reset: {exc}"
            return (True, "connected") if data else (False, "connection closed at once: nothing listens yet")
    except OSError as exc:
        return False, f"tcp connect failed: {exc}"
