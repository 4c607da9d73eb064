"""Synapse's smoke test: the homeserver starts on the database its migrations prepared, answers
/health, and registers a user with Synapse's own register_new_matrix_user (a write through it).

The homeserver's config is database.yaml plus one HTTP listener on a free loopback port, and a
scratch directory for its media and pid file; the registration secret is made here for this run
only and never printed.
"""

import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

STARTUP_SECONDS = 90


def free_port() -> int:
    """A loopback port nobody holds right now (baseline and target smoke tests run side by side)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_health(url: str, server: subprocess.Popen[bytes]) -> None:
    """Until /health answers OK; fails as soon as the homeserver has exited."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            # Its own last words (e.g. a refused database) stay the last lines of the output.
            sys.exit(server.returncode or 1)
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.read() == b"OK":
                    print(f"GET {url}: OK")
                    return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit(f"/health did not answer within {STARTUP_SECONDS}s")


def main() -> None:
    """Start the homeserver, check it, register a user, stop it."""
    config = yaml.safe_load(Path("database.yaml").read_text())
    port = free_port()
    secret = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="synapse-smoke-") as scratch:
        config.update(
            signing_key_path=str(Path(config["signing_key_path"]).resolve()),
            listeners=[{"port": port, "bind_addresses": ["127.0.0.1"], "type": "http", "tls": False,
                        "x_forwarded": False, "resources": [{"names": ["client"], "compress": False}]}],
            media_store_path=f"{scratch}/media", pid_file=f"{scratch}/homeserver.pid",
            registration_shared_secret=secret,
        )
        path = Path(scratch, "homeserver.yaml")
        path.write_text(yaml.safe_dump(config))
        server = subprocess.Popen([sys.executable, "-m", "synapse.app.homeserver", "--config-path", str(path)])
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for_health(f"{base}/health", server)
            # Secrets go through files, never a command line (ps would show them).
            secret_file = Path(scratch, "register.yaml")
            secret_file.write_text(yaml.safe_dump({"registration_shared_secret": secret}))
            password_file = Path(scratch, "password")
            password_file.write_text(secrets.token_urlsafe(16))
            subprocess.run(["register_new_matrix_user", "--config", str(secret_file), "--user", "smoke",
                            "--password-file", str(password_file), "--no-admin", base], check=True)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
