"""A stand-in for an app's own tooling, installed only in the app's virtualenv (never parity's).

`python -m apptool migrate` creates a table through libpq's PG* variables (database.env);
`python -m apptool smoke` checks what a host command receives and writes JUnit XML, as any
test runner would, to reports/apptool.xml."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from xml.sax.saxutils import quoteattr

import psycopg


def migrate() -> int:
    with psycopg.connect("", connect_timeout=10) as conn:  # PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE
        conn.execute("CREATE TABLE IF NOT EXISTS apptool_runs (id serial PRIMARY KEY, at timestamptz DEFAULT now())")
    print("migrated through", os.environ["PGHOST"])
    return 0


def smoke() -> int:
    checks = {
        "app_env": os.environ.get("GREETING") == "hello",
        "secret_value": os.environ.get("API_TOKEN", "").startswith("canary-"),
        "database_url": os.environ.get("DATABASE_URL", "").startswith("postgresql://"),
        "url_template": os.environ.get("APP_DB_URL") == os.environ.get("DATABASE_URL"),
        "ca_under_tls": os.environ.get("EXPECT_TLS") != "1" or (
            Path(os.environ.get("PGSSLROOTCERT", "/nonexistent")).is_file()
            and os.environ.get("DB_CA_CERT", "").startswith("-----BEGIN CERTIFICATE-----")),
    }
    with psycopg.connect("", connect_timeout=10) as conn:
        checks["table_migrated"] = conn.execute("SELECT count(*) FROM apptool_runs").fetchone() is not None
        ssl = conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
        checks["tls_as_profiled"] = bool(ssl and ssl[0]) == (os.environ.get("EXPECT_TLS") == "1")
    cases = "".join(
        f"<testcase classname=\"apptool\" name={quoteattr(name)} time=\"0.001\">"
        + ("" if ok else "<failure message=\"check failed\">check failed</failure>") + "</testcase>"
        for name, ok in checks.items())
    report = Path("reports") / "apptool.xml"
    report.parent.mkdir(exist_ok=True)
    report.write_text(f"<testsuites><testsuite name=\"apptool\">{cases}</testsuite></testsuites>")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit({"migrate": migrate, "smoke": smoke}[sys.argv[1]]())
