"""A tiny app for parity's tests; SCENARIO (the same in both profiles) picks its production-only weakness."""

import http.server
import os
import signal
import sys
import threading
import time
import urllib.parse
from pathlib import Path

SCENARIO = os.environ.get("SCENARIO", "clean")
# What the app does on SIGTERM: "drain" (stop accepting, finish in-flight requests, exit 0),
# "exit" (close the listener and exit at once, dropping what is in flight), "ignore".
# Unset: no handler, which for PID 1 in a container also means SIGTERM is ignored.
ON_SIGTERM = os.environ.get("ON_SIGTERM", "")


def secret_key() -> str:
    # Reads secrets from the environment only: breaks where secrets arrive as files.
    value = os.environ.get("SECRET_KEY")
    if not value:
        print("fatal: SECRET_KEY environment variable is not set", flush=True)
        sys.exit(1)
    return value


def delivered() -> dict[str, str]:
    """What parity delivered, whichever way: files under /run/secrets, a .env, or the environment."""
    if os.path.isdir("/run/secrets"):
        return {name: Path("/run/secrets", name).read_text() for name in os.listdir("/run/secrets")}
    if os.path.exists(".env"):
        values = {}
        for line in Path(".env").read_text().splitlines():
            name, _, value = line.partition("=")
            if value.startswith('"'):
                value = value[1:-1].replace("\\n", "\n").replace('\\"', '"').replace("\\$", "$")
            values[name] = value
        return values
    return dict(os.environ)


def check_delivery() -> None:
    values = delivered()
    problems = []
    if not values.get("DATABASE_URL", "").startswith(("postgresql://", "sqlite:")):
        problems.append("DATABASE_URL missing")
    if os.environ.get("EXPECT_CA") == "1" and "-----BEGIN CERTIFICATE-----" not in values.get("DB_CA_CERT", ""):
        problems.append("DB_CA_CERT missing")
    if values.get("SECRET_KEY") != os.environ.get("EXPECT_SECRET"):
        problems.append("SECRET_KEY wrong")
    if problems:
        print("delivery check failed: " + ", ".join(problems), flush=True)
        sys.exit(5)
    print("delivery ok", flush=True)


def check_mixed_delivery() -> None:
    # SECRET_KEY arrives as a file (secrets.values.SECRET_KEY.deliver: files), DATABASE_URL as a variable.
    problems = []
    if not os.environ.get("DATABASE_URL", "").startswith("postgresql://"):
        problems.append("DATABASE_URL not in the environment")
    if "SECRET_KEY" in os.environ:
        problems.append("SECRET_KEY in the environment")
    key = Path(os.environ.get("SECRETS_DIR", "/run/secrets"), "SECRET_KEY")
    if not key.is_file() or key.read_text() != os.environ.get("EXPECT_SECRET"):
        problems.append(f"{key} missing or wrong")
    if problems:
        print("delivery check failed: " + ", ".join(problems), flush=True)
        sys.exit(5)
    print("mixed delivery ok", flush=True)


def prepare() -> None:
    if SCENARIO == "secret-env":
        secret_key()
    elif SCENARIO == "write-cache":
        with open("/app/cache.bin", "wb") as handle:  # fails on a read-only root filesystem
            handle.write(b"warm")
    elif SCENARIO == "hungry":
        blocks = [bytearray(16 * 2**20) for _ in range(16)]  # 256 MiB, touched
        print(f"warmed {len(blocks)} blocks", flush=True)
    elif SCENARIO == "slow":
        time.sleep(4)
    elif SCENARIO == "check-delivery":
        check_delivery()
    elif SCENARIO == "check-mixed-delivery":
        check_mixed_delivery()
    elif SCENARIO == "leaky-log":
        print(f"starting with DATABASE_URL={os.environ.get('DATABASE_URL')}", flush=True)
        print(f"and SECRET_KEY={os.environ.get('SECRET_KEY')}", flush=True)
        sys.exit(3)


# Sessions kept in this process's memory: fine for one process, lost on another replica.
SESSIONS: dict[str, str] = {}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/slow":  # /slow?s=2: a request that takes a while (an export, an upload)
            time.sleep(float(urllib.parse.parse_qs(url.query).get("s", ["2"])[0]))
        if url.path == "/me":
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            user = SESSIONS.get(token)
            self.reply(200 if user else 401, b'{"user":"%s"}' % user.encode() if user else b'{"error":"no session"}')
            return
        self.reply(200 if url.path in ("/healthz", "/", "/slow") else 404, b'{"status":"ok"}')

    def do_POST(self) -> None:  # noqa: N802
        if self.path == "/login":
            token = os.urandom(8).hex()
            SESSIONS[token] = "smoke"
            self.reply(200, b'{"token":"%s"}' % token.encode())
            return
        self.reply(404, b'{"error":"not found"}')

    def reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = False  # server_close() waits for the requests in progress
    block_on_close = True


def serve(server: Server) -> None:
    stop = threading.Event()
    if ON_SIGTERM == "drain":
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    elif ON_SIGTERM == "exit":
        def exit_at_once(*_: object) -> None:
            server.socket.close()
            os._exit(0)
        signal.signal(signal.SIGTERM, exit_at_once)
    elif ON_SIGTERM == "ignore":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    while not stop.wait(0.1):
        pass
    server.shutdown()  # no new connections...
    server.server_close()  # ...and the ones in progress finish
    print("drained, exiting", flush=True)


class ProbeHandler(Handler):
    """A management port (PROBE_PORT): everything is ready there, as /startup is nowhere else."""

    def do_GET(self) -> None:  # noqa: N802
        self.reply(200, b'{"status":"started"}')


if __name__ == "__main__":
    prepare()
    if os.environ.get("PROBE_PORT"):
        probe = Server(("0.0.0.0", int(os.environ["PROBE_PORT"])), ProbeHandler)
        threading.Thread(target=probe.serve_forever, daemon=True).start()
    print("listening on 8000", flush=True)
    serve(Server(("0.0.0.0", 8000), Handler))
