"""The fast guess at a cause: the error class the failing side reported, mapped to the profile
keys that produce it, chosen among the keys that really differ.

Error classes are what drivers and servers report, not words: SQLSTATE codes and the exception
names that carry them (psycopg, psycopg2, asyncpg, node-postgres, pgx, JDBC, Django, SQLAlchemy,
Rails), libpq's TLS messages, the kernel's OOM kill, EROFS/EACCES, an error naming a server or
minimum version. Unsure means None; experiments (parity explain) then say.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from parity.causes.keys import differing_keys
from parity.evidence import Evidence
from parity.profile.models import Profile

# SQLSTATE -> condition name (PostgreSQL, Appendix A). psycopg/psycopg2 and Rails' PG:: name
# their exception classes after the condition name in CamelCase; asyncpg adds "Error".
CONDITIONS = {
    "0A000": "feature_not_supported",
    "26000": "invalid_sql_statement_name",
    "25P03": "idle_in_transaction_session_timeout",
    "28000": "invalid_authorization_specification",
    "28P01": "invalid_password",
    "42501": "insufficient_privilege",
    "42601": "syntax_error",
    "42703": "undefined_column",
    "42704": "undefined_object",
    "42883": "undefined_function",
    "42P01": "undefined_table",
    "42P05": "duplicate_prepared_statement",
    "53200": "out_of_memory",
    "53300": "too_many_connections",
    "55P03": "lock_not_available",
    "57014": "query_canceled",
    "58P01": "undefined_file",
}
_BY_NAME = {name: code for code, name in CONDITIONS.items()}
# Where drivers and tools print the code: PDO "SQLSTATE[42883]", pgx "(SQLSTATE 42883)", Flyway
# "SQL State  : 42501", node-postgres "code: '42501'", Hasura "status_code": "42501", tokio-postgres
# "SqlState(E42501)", IDE consoles "[42883] ERROR:", Npgsql "42883: function ...".
_SQLSTATE_AT = [
    re.compile(r"SQL\s?STATE\s*(?:\[|:|=)?\s*([0-9A-Z]{5})\b", re.IGNORECASE),
    re.compile(r"\b(?:pg)?(?:code|sqlstate|status_code)['\"]?\s*[:=]\s*['\"]?([0-9A-Z]{5})\b", re.IGNORECASE),
    re.compile(r"SqlState\(E([0-9A-Z]{5})\)"),
    re.compile(r"(?:^|\s)\[([0-9A-Z]{5})\]"),
    re.compile(r"(?:^|\s)([0-9A-Z]{5}): "),
]
# Python tracebacks and pytest reports quote source code; a word in code is not an error.
_CODE_LINE = re.compile(r'^\s*(File ".*", line \d+|>\s|[\^~]+\s*$)')


@dataclass(frozen=True)
class Suspicion:
    """The key the evidence points at, and the error class that points there."""

    key: str
    because: str


@dataclass(frozen=True)
class Clues:
    """The failing side's evidence, read once: its own lines (no quoted code), its SQLSTATEs, and
    the secret names the profiles declare."""

    evidence: Evidence
    text: str
    sqlstates: frozenset[str]
    secret_names: frozenset[str]  # declared by either profile, and what parity delivers itself
    secrets_on_both: frozenset[str]

    def has(self, *conditions: str) -> str | None:
        """The first of these conditions the evidence reports, by SQLSTATE or exception name."""
        for name in conditions:
            code = _BY_NAME[name]
            if code in self.sqlstates or _class_name(name).search(self.text):
                return f"{name} (SQLSTATE {code})"
        return None

    def says(self, pattern: re.Pattern[str]) -> str | None:
        """The message text that matches `pattern`, shortened, if any."""
        match = pattern.search(self.text)
        return f"“{' '.join(match.group(0).split())[:80]}”" if match else None


@dataclass(frozen=True)
class Rule:
    """An error class and the keys that produce it, most likely first. No keys: a class that is
    known not to be a profile matter (a missing table): the search stops there, unsure."""

    match: Callable[[Clues], str | None]
    keys: Sequence[str]


def _i(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.MULTILINE)


@functools.cache
def _class_name(condition: str) -> re.Pattern[str]:
    camel = "".join(part.capitalize() for part in condition.split("_"))
    return re.compile(rf"(?<![A-Za-z]){camel}(?:Error)?\b")


def _any(*tests: Callable[[Clues], str | None]) -> Callable[[Clues], str | None]:
    return lambda clues: next((found for test in tests if (found := test(clues))), None)


def _cond(*names: str) -> Callable[[Clues], str | None]:
    return lambda clues: clues.has(*names)


def _sqlstate(*names: str) -> Callable[[Clues], str | None]:
    """By code only, for classes whose name means something else too (Python's own SyntaxError)."""
    codes = {_BY_NAME[name]: name for name in names}
    return lambda c: next((f"{codes[k]} (SQLSTATE {k})" for k in codes if k in c.sqlstates), None)


def _text(pattern: str) -> Callable[[Clues], str | None]:
    compiled = _i(pattern)
    return lambda clues: clues.says(compiled)


def _labelled(pattern: str, label: str) -> Callable[[Clues], str | None]:
    compiled = _i(pattern)
    return lambda clues: label if compiled.search(clues.text) else None


def _fact(step: str, name: str, because: str) -> Callable[[Clues], str | None]:
    return lambda c: because if c.evidence.step == step and c.evidence.facts.get(name) else None


def _step_timed_out(step: str) -> Callable[[Clues], str | None]:
    """Parity stopped the step at its timeout: its fact, or its own first words for a whole step."""
    def match(c: Clues) -> str | None:
        stopped = c.evidence.facts.get("timed_out") or _PARITY_TIMEOUT.match(c.evidence.text)
        return f"the {step} step ran past its timeout" if c.evidence.step == step and stopped else None
    return match


_PARITY_TIMEOUT = re.compile(r"\s*timed out after \d")
_VERSION = "(?:postgres(?:ql)?|server|database)"
_VERSION_NAMED = _text(
    rf"\b{_VERSION}\s+v?\d+(?:\.\d+)?\s+or\s+(?:later|newer|higher|above|greater)"  # Django: "PostgreSQL 14 or later is required"
    rf"|\brequires?\s+{_VERSION}\s*(?:version\s*)?(?:>=?|≥|at least|of at least|v)?\s*\d+"  # "requires PostgreSQL >= 15"
    r"|\bserver version:?\s+\d+"  # "server version 13", pg_dump "server version: 17.0"
    rf"|\b(?:minimum|unsupported)\s+(?:supported\s+)?{_VERSION}\s+version"
    rf"|\b{_VERSION}\s+(?:version\s+)?\d+(?:\.\d+)?\s+is\s+(?:not supported|no longer supported|too old)"
)
_LOST_APP = _text(
    r"RemoteDisconnected|Remote end closed connection|Connection (?:refused|reset|aborted)"
    r"|ECONNRESET|ECONNREFUSED|socket hang up|Server disconnected|\[Errno 11[01]\]|\[Errno 104\]"
    # A load balancer in front of the app says so in its own words.
    r"|\b502 Bad Gateway\b|\bHTTP(?:/1\.[01])? 502\b|\b503 Service Unavailable\b"
)
_KILLED_PROCESS = re.compile(r"Kill(?:ed)? process \d+ \((\w+)\)")


def _lost_an_oom_killed_app(clues: Clues) -> str | None:
    """A request that lost the app while the kernel OOM-killed it on this side."""
    if clues.evidence.step in ("smoke", "startup") and "app" in clues.evidence.oom_killed:
        lost = _LOST_APP(clues)
        return f"{lost} while the kernel OOM-killed the app" if lost else None
    return None


def _state_on_another_replica(clues: Clues) -> str | None:
    """A failing request answered with a client error (4xx) by another replica than the one that
    answered the request before it: what the first one kept, the second one never had."""
    facts = clues.evidence.facts
    status, by, before = facts.get("status"), facts.get("answered_by"), facts.get("previous_by")
    if clues.evidence.step != "smoke" or int(facts.get("replicas") or 0) < 2 or not (by and before):
        return None
    if by == before or not isinstance(status, int) or not 400 <= status < 500:
        return None
    return f"{facts.get('request', 'a request')} -> {status} from {by}, right after {before} answered the request before it"


def _kernel_oom_of(process_is_postgres: bool) -> Callable[[Clues], str | None]:
    def match(clues: Clues) -> str | None:
        killed = _KILLED_PROCESS.search(clues.text)
        if killed and (killed.group(1).startswith("postgres") == process_is_postgres):
            return f"the kernel OOM-killed {killed.group(1)}"
        return None
    return match


def _secret_missing(*, declared_on_both: bool) -> Callable[[Clues], str | None]:
    """A line that names a secret the profiles declare (or DATABASE_URL) as missing; split by
    whether both profiles declare it (then how it is delivered matters) or one only."""
    def match(clues: Clues) -> str | None:
        names = clues.secrets_on_both if declared_on_both else clues.secret_names - clues.secrets_on_both
        for line in clues.text.splitlines():
            if _MISSING.search(line):
                for name in sorted(names):
                    if _names(line, name):
                        return f"the secret {name} reported missing"
        return None
    return match


_MISSING = _i(
    r"KeyError|not (?:set|configured|defined|found|provided)|undefined|missing|must not be empty"
    r"|must be (?:set|provided)|is (?:required|empty)|\bset the\b|no such (?:file|secret)"
)


def _names(line: str, secret: str) -> bool:
    """Whether the line names this secret: exactly, any case (Rails' secret_key_base for
    SECRET_KEY_BASE), or as the tail of it (Django's SECRET_KEY read from DJANGO_SECRET_KEY)."""
    for word in re.findall(r"[A-Za-z][A-Za-z0-9_]*", line):
        w, s = word.lower(), secret.lower()
        if w == s or ("_" in w and s.endswith("_" + w)):
            return True
    return False


def _over_budget(*, waited: bool) -> Callable[[Clues], str | None]:
    def match(c: Clues) -> str | None:
        over = c.evidence.facts.get("over_budget")
        if not over or bool(c.evidence.facts.get("waited_for_lock")) != waited:
            return None
        return f"over {over}" + (", waiting for a lock" if waited else "")
    return match


_DATA = ("data", "data.rows", "data.restore", "data.seed", "data.at")
_TRAFFIC = ("traffic", "traffic.hold", "traffic.hold_for", "traffic.sql", "traffic.rate", "traffic.connections")
_SERVER = ("database.memory", "database.settings", "database.version")
_DB = ("database.version", "database.image", "database.engine")  # a feature this server lacks
RULES: list[Rule] = [
    # What parity measured itself beats any text.
    Rule(lambda c: "the kernel OOM-killed the app" if c.evidence.component == "app" else None, ["app.memory"]),
    Rule(lambda c: "the kernel OOM-killed the database" if c.evidence.component == "database" else None,
         ["database.memory"]),
    Rule(_fact("startup", "oom_killed", "the kernel OOM-killed the app"), ["app.memory"]),
    # A budget crossed while waiting for a lock the traffic held (a pg_dump's ACCESS SHARE): the
    # traffic; crossed while holding a lock or working through rows: the data's size.
    Rule(_over_budget(waited=True), [*_TRAFFIC, *_DATA, *_SERVER]),
    Rule(_over_budget(waited=False), [*_DATA, *_TRAFFIC, *_SERVER]),
    Rule(_fact("startup", "budget_exhausted", "the startup probe's budget ran out"),
         ["app.startup_probe", "app.cpus"]),
    Rule(_fact("shutdown", "sigkilled", "the app was still running at the end of its grace period (SIGKILL)"),
         ["app.shutdown"]),
    Rule(_fact("shutdown", "in_flight_failed", "requests in flight when the app was stopped were dropped"),
         ["app.shutdown"]),
    Rule(_fact("rollout", "rollout_failed_requests", "requests failed while replicas were replaced one by one"),
         ["app.rollout", "app.shutdown"]),
    Rule(_fact("rollout", "stalled", "a new replica never passed its startup probe during the rollout"),
         ["app.rollout", "app.startup_probe"]),
    Rule(_step_timed_out("migrations"), ["migrations.timeout"]),
    Rule(_step_timed_out("smoke"), ["smoke.timeout"]),
    Rule(lambda c: "the schema the migrations left differs" if c.evidence.step == "schema" else None, _DB),
    Rule(_lost_an_oom_killed_app, ["app.memory"]),
    # An error that names a server version or a minimum version.
    Rule(_VERSION_NAMED, ["database.version", "database.image"]),
    Rule(_text(r"\bSQLite\s+\d+(?:\.\d+)*\s+or\s+later"), ["database.engine"]),
    # The cluster's locale: an app that checks its database's collation (Synapse: "Database has
    # incorrect collation of 'en_US.utf8'. Should be 'C'"), a CREATE DATABASE whose collation or
    # ctype is not the template's, an ICU locale the server cannot open.
    Rule(_text(r"\b(?:incorrect|wrong|unsupported) (?:database )?(?:collation|ctype|LC_COLLATE|LC_CTYPE)\b"
               r"|\bnew (?:collation|LC_COLLATE|LC_CTYPE|locale) \(.*\) is incompatible with"
               r"|\bcould not open collator for locale"),
         ["database.locale", "database.icu_locale"]),
    # The image lacks an extension: the image (or the version it is built for) decides.
    Rule(_any(_cond("undefined_file"), _text(r'extension "[^"]+" is not available|could not open extension control file'),
              _text(r'type "(?:vector|geometry|geography|hstore|citext|ltree)" does not exist')),
         ["database.image", "database.version"]),
    # A transaction pooler hands each transaction a different server connection: a statement a
    # driver prepared on one is missing on the next (asyncpg, psycopg 3, pgx, node-postgres, JDBC
    # name theirs __asyncpg_stmt_N__, _pg3_N, stmtcache_N, S_N...) or collides with another
    # client's of the same name. asyncpg spells its class InvalidSQLStatementNameError.
    Rule(_any(_cond("invalid_sql_statement_name", "duplicate_prepared_statement"),
              _text(r'prepared statement "[^"\n]*" (?:does not exist|already exists)|InvalidSQLStatementNameError'
                    r"|prepared statement name is already in use|unnamed prepared statement does not exist")),
         ["database.pooler"]),
    # Privileges of the database role. Postgres 15 stopped letting every role create in `public`.
    Rule(_text(r"permission denied for schema public"), ["database.superuser", "database.version"]),
    Rule(_any(_cond("insufficient_privilege"),
              _text(r"permission denied (?:for|to)\b|must be (?:a )?superuser|must be owner of|must be a member of role"
                    r"|only superusers?\b|permission denied: \"RI_ConstraintTrigger")),
         ["database.superuser"]),
    Rule(_any(_cond("too_many_connections"),
              _text(r"too many clients|remaining connection slots are reserved|too many connections for")),
         ["database.max_connections"]),
    # libpq's, and drivers', TLS messages; a pg_hba rejection that says encryption is why.
    Rule(_any(_labelled(r"pg_hba\.conf.*\b(?:no encryption|SSL off)\b", "pg_hba.conf rejects connections without TLS"),
              _labelled(r"pg_hba\.conf.*\b(?:SSL on|SSL encryption)\b", "pg_hba.conf rejects connections with TLS"),
              _text(r"SSL is not enabled on the server|server does not support SSL|rejected SSL upgrade"
                    r"|certificate verify failed|self[- ]signed certificate|SELF_SIGNED_CERT_IN_CHAIN"
                    r"|unable to verify the first certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SSLCertVerificationError"
                    r"|root certificate file .* does not exist|sslmode value .* invalid"
                    r"|connection requires a valid client certificate")),
         ["database.ssl"]),
    Rule(_any(_cond("invalid_authorization_specification", "invalid_password"),
              _text(r"no pg_hba\.conf entry|password authentication failed")), []),
    # Memory: the kernel's OOM killer, runtimes' own out-of-memory, a server backend killed.
    Rule(_kernel_oom_of(process_is_postgres=True), ["database.memory"]),
    Rule(_any(_kernel_oom_of(process_is_postgres=False),
              _text(r"OOMKilled|Memory cgroup out of memory|oom-kill|JavaScript heap out of memory|\bMemoryError\b"
                    r"|java\.lang\.OutOfMemoryError|Cannot allocate memory|was sent SIGKILL! Perhaps out of memory")),
         ["app.memory"]),
    Rule(_any(_cond("out_of_memory"),
              _text(r"server process \(PID \d+\) was terminated by signal 9|Failed on request of size"
                    r"|(?:ERROR|FATAL):\s+out of memory")),
         ["database.memory"]),
    # The filesystem: a read-only root, then permissions of the user the app runs as.
    Rule(_text(r"\bEROFS\b|\[Errno 30\]|read-only file system"), ["app.read_only", "app.tmpfs"]),
    Rule(_secret_missing(declared_on_both=False), ["secrets.values"]),
    Rule(_secret_missing(declared_on_both=True), ["secrets.source", "secrets.path", "secrets.values"]),
    Rule(_text(r"\bEACCES\b|\[Errno 13\]|\bPermissionError\b|Operation not permitted|\bEPERM\b|permission denied"),
         ["app.user"]),
    # Server settings that cancel statements.
    Rule(_any(_cond("query_canceled", "lock_not_available", "idle_in_transaction_session_timeout"),
              _text(r"canceling statement due to (?:statement|lock) timeout|idle-in-transaction timeout")),
         ["database.settings"]),
    Rule(_cond("query_canceled"), []),
    # A feature this server (version, engine) does not have. Comparing mismatched types is not
    # one: SQLite compares anything, Postgres refuses, whatever the version.
    Rule(_text(r"operator does not exist"), ["database.engine"]),
    Rule(_any(_cond("undefined_function", "feature_not_supported"), _sqlstate("syntax_error"),
              _text(r"function .* does not exist|no such function|NotSupportedError|unrecognized configuration parameter"
                    r"|syntax error at or near|syntax error at end of input|near \".*\": syntax error"
                    r"|(?:errors\.|PG::|Postgres)SyntaxError")),
         _DB),
    # Behind round robin: a client error from another replica than the one that answered the
    # request before it (a session, an upload, a cursor kept by one replica only).
    Rule(_state_on_another_replica, ["app.replicas", "app.sticky"]),
    # Not a profile matter: objects the migrations did not create, a role or type the app named.
    Rule(_any(_cond("undefined_table", "undefined_column", "undefined_object"),
              _text(r"relation .* does not exist|column .* does not exist|no such (?:table|column)")), []),
]


def suspect(evidence: Evidence, baseline: Profile, target: Profile) -> Suspicion | None:
    """The profile key the failing side's evidence points at, among keys that really differ."""
    differing = differing_keys(baseline, target)
    clues = read_clues(evidence, baseline, target)
    for rule in RULES:
        because = rule.match(clues)
        if because is None:
            continue
        key = next((k for k in rule.keys if k in differing), None)
        return Suspicion(key, because) if key else None
    return None


def read_clues(evidence: Evidence, baseline: Profile, target: Profile) -> Clues:
    """The failing side's evidence, minus quoted source code, with the codes and names it carries."""
    own: list[str] = []
    skip_next = False
    for line in evidence.text.splitlines():
        if skip_next:
            skip_next = False
            continue
        if _CODE_LINE.match(line):
            skip_next = line.lstrip().startswith("File ")  # the frame's source line follows
            continue
        own.append(line)
    text = "\n".join(own)
    codes = {code for pattern in _SQLSTATE_AT for code in pattern.findall(text)}
    declared = [_secret_names(profile) for profile in (baseline, target)]
    return Clues(evidence, text, frozenset(codes & CONDITIONS.keys()), frozenset(declared[0] | declared[1]),
                 frozenset(declared[0] & declared[1]))


def _secret_names(profile: Profile) -> set[str]:
    names = set(profile.secrets.values) if profile.secrets else set()
    if profile.database is not None:
        names |= {"DATABASE_URL", "DB_CA_CERT"}  # parity delivers these through secrets.source
    return names
