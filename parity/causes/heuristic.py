"""The fast guess at a cause: what parity measured first, then the error class the failing side
reported, mapped to the profile keys that produce it, chosen among the keys that really differ.

Facts decide before words: the kernel's OOM kill, a probe's spent budget, a SIGKILL after the
grace period, which replica answered, and the failing side's own server version, TLS and role.
Error classes are what drivers and servers report, not phrases: SQLSTATE codes and the names that
carry them (causes.sqlstate), each stack's TLS failures (causes.tls), what each Postgres major
added or removed (causes.versions). Unsure means None; experiments (parity explain) then say.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from parity.causes import extensions, sqlstate, tls, versions
from parity.causes.clues import Clues, Match, all_of, any_of, code, pattern, read_clues, text
from parity.causes.keys import differing_keys
from parity.causes.secrets import (
    KEY_OF_WRONG_LENGTH,
    NO_SIGNING_KEY,
    SECRET_WITH_NEWLINE,
    WRONG_KEY,
    secret_missing,
    secret_wrong_form,
    secret_wrong_size,
)
from parity.evidence import Evidence
from parity.profile.models import Profile


@dataclass(frozen=True)
class Suspicion:
    """The key the evidence points at, the error class or fact that points there, and whether that
    came from a fact parity measured or from the error's text."""

    key: str
    because: str
    source: Literal["measured", "error"] = "error"
    # The rule's other keys that differ, in its order: where explain looks next if `key` alone
    # does not reproduce (a budget crossed waiting on the traffic's lock may still be the data's size).
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """An error class (or a fact) and the keys that produce it, most likely first. No keys: a class
    known not to be a profile matter (a missing table): the search stops there, unsure."""

    match: Match
    keys: Sequence[str]
    source: Literal["measured", "error"] = "error"


def _fact(step: str, name: str, because: str) -> Match:
    return lambda c: because if c.evidence.step == step and c.evidence.facts.get(name) else None


def _step_timed_out(step: str) -> Match:
    """Parity stopped the step at its timeout: its fact, or its own first words for a whole step."""
    def match(c: Clues) -> str | None:
        stopped = c.evidence.facts.get("timed_out") or _PARITY_TIMEOUT.match(c.evidence.text)
        return f"the {step} step ran past its timeout" if c.evidence.step == step and stopped else None
    return match


_PARITY_TIMEOUT = re.compile(r"\s*timed out after \d")


# ---- what the failing side's own profile says (a fact, not a word)

def _capped(clues: Clues) -> bool:
    """The failing side's app runs under a memory cap."""
    app = clues.failing.app
    return app is not None and app.memory is not None


def _db_capped(clues: Clues) -> bool:
    spec = clues.failing.database
    return spec is not None and spec.memory is not None


def _read_only(clues: Clues) -> bool:
    app = clues.failing.app
    return app is not None and app.read_only


def _runs_as_user(clues: Clues) -> bool:
    """The failing side's app runs as a user the profile names (app.user), not the image's own."""
    app = clues.failing.app
    return app is not None and app.user is not None


def _timeout_set_here(clues: Clues) -> bool:
    """The failing side's server settings give a timeout (statement_timeout, lock_timeout,
    idle_in_transaction_session_timeout...) the other side's do not give alike."""
    mine, theirs = (p.database.settings if p.database else {} for p in (clues.failing, clues.other))
    return any("timeout" in name and str(value) != str(theirs.get(name)) for name, value in mine.items())


def _balanced(clues: Clues) -> bool:
    """The failing side runs 2+ replicas behind its balancer."""
    app = clues.failing.app
    return app is not None and (app.replicas or 1) >= 2


def _has_roles(clues: Clues) -> bool:
    """The failing side's clients connect as the roles production gives them (database.roles)."""
    spec = clues.failing.database
    return spec is not None and spec.roles is not None


def _pooled(clues: Clues) -> bool:
    """The failing side's clients go through a pooler that hands transactions, not sessions, out."""
    spec = clues.failing.database
    return spec is not None and spec.pooler is not None and spec.pooler.mode != "session"


def _pooled_in_this_step(clues: Clues) -> bool:
    """The failing step's clients go through a transaction pooler: the app's always, the migrations'
    only where database.pooler.migrations sends them through it."""
    spec = clues.failing.database
    if not _pooled(clues) or spec is None or spec.pooler is None:
        return False
    return clues.evidence.step != "migrations" or spec.pooler.migrations == "pooler"


def _fails_over_now(clues: Clues) -> bool:
    """The failing side's server fails over during the step that failed (traffic runs beside the
    migrations)."""
    spec = clues.failing.database
    if spec is None or spec.failover is None:
        return False
    at = "migrations" if spec.failover.at == "traffic" else spec.failover.at
    return clues.evidence.step == at


# ---- facts parity measured

_EXIT_137 = "the app exited with 137 (SIGKILL: the kernel's OOM kill at its memory limit)"


def _exit_137(clues: Clues) -> str | None:
    return _EXIT_137 if clues.evidence.step == "startup" and clues.evidence.facts.get("exit_code") == 137 else None


def _lost_an_oom_killed_app(clues: Clues) -> str | None:
    """A request that lost the app while the kernel OOM-killed it on this side."""
    if clues.evidence.step in ("smoke", "startup") and "app" in clues.evidence.oom_killed:
        lost = _LOST_APP(clues)
        return f"{lost} while the kernel OOM-killed the app" if lost else None
    return None


_LOST_APP = text(
    r"RemoteDisconnected|Remote end closed connection|Connection (?:refused|reset|aborted)"
    r"|ECONNRESET|ECONNREFUSED|socket hang up|Server disconnected|\[Errno 11[01]\]|\[Errno 104\]"
    # A load balancer in front of the app says so in its own words.
    r"|\b502 Bad Gateway\b|\bHTTP(?:/1\.[01])? 502\b|\b503 Service Unavailable\b"
)


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


def _over_budget(*, waited: bool) -> Match:
    def match(c: Clues) -> str | None:
        over = c.evidence.facts.get("over_budget")
        if not over or bool(c.evidence.facts.get("waited_for_lock")) != waited:
            return None
        return f"over {over}" + (", waiting for a lock" if waited else "")
    return match


# ---- the server version

_VERSION = "(?:postgres(?:ql)?|server|database)"
_VERSION_NAMED = text(
    # Django: "PostgreSQL 14 or later is required"; NetBox: "PostgreSQL 9.4.0 or higher is required (9.2.23 found)"
    rf"\b{_VERSION}\s+v?\d+(?:\.\d+){{0,2}}\s+or\s+(?:later|newer|higher|above|greater)"
    rf"|\brequires?\s+{_VERSION}\s*(?:version\s*)?(?:>=?|≥|at least|of at least|v)?\s*\d+"  # "requires PostgreSQL >= 15"
    r"|\bserver version:?\s+\d+"  # "server version 13", pg_dump "server version: 17.0"
    # ... with the minimum said supported or required ("minimum required postgres version is 10.0; found 9.426",
    # Mattermost's)
    rf"|\b(?:minimum|unsupported)\s+(?:(?:supported|required)\s+)?{_VERSION}\s+version"
    rf"|\b{_VERSION}\s+(?:version\s+)?\d+(?:\.\d+)?\s+is\s+(?:not supported|no longer supported|too old)"
    # Drivers and tools refusing an old server by number
    rf"|\bCannot run in this {_VERSION} version|\blower on .* than our lowest supported version"
    r"|\bversion is lower\b.*\bminimum supported\b|\bUnsupported server version\b"
    # Active Record: "Your version of PostgreSQL (90224) is too old. Active Record supports PostgreSQL >= 9.3."
    rf"|\bversion of {_VERSION}\s*\(?\d+(?:\.\d+)*\)?\s+is\s+(?:too old|not supported|no longer supported)"
    rf"|\bsupports?\s+{_VERSION}\s*(?:>=?|≥)\s*\d+"
    # GitLab: "You are using PostgreSQL 9.6.16, but PostgreSQL >= 11 is required for this version of GitLab."
    rf"|\b{_VERSION}\s*(?:>=?|≥)\s*v?\d+(?:\.\d+)?\s+(?:is\s+)?(?:required|needed)\b"
)


def _version_named(clues: Clues) -> str | None:
    """A message naming a minimum version the failing side's server does not reach."""
    said = _VERSION_NAMED(clues)
    return said if said and not _version_satisfied(clues) else None


def _version_satisfied(clues: Clues) -> str | None:
    """A minimum the failing side's server reaches: its version is not why, whatever else differs."""
    minimum, majors = versions.minimum_named(clues.text), clues.majors()
    if minimum and majors and majors[0] >= minimum and _VERSION_NAMED(clues):
        return f"the server is {_major(majors[0])}, at least the {_major(minimum)} the message asks for"
    return None


def _public_schema_15(clues: Clues) -> str | None:
    """Postgres 15 stopped letting every role create in `public`: only when the failing side runs
    15+ and the other side an older major."""
    majors = clues.majors()
    if not (majors and majors[0] >= (15, 0) > majors[1] and _PUBLIC.search(clues.text)):
        return None
    return "permission denied for schema public on 15+, which revoked CREATE on public from every role"


_PUBLIC = pattern(r"permission denied for schema public")


def _release_notes(verdict: versions.Verdict) -> Match:
    """A missing function, column, parameter, keyword or view the release notes place on one side."""
    def match(clues: Clues) -> str | None:
        majors = clues.majors()
        if majors is None:
            return None
        failing, other = majors
        found = versions.missing_on(clues.text, failing, other)
        if found is None or found[0] != verdict:
            return None
        said = clues.has("42883", "42703", "42704", "42601", "42P01")
        prefix = f"{said}: " if said else ""
        if verdict == "only_other":
            return f"{prefix}{found[1]} is missing on {_major(failing)} and exists on {_major(other)}"
        return f"{prefix}{found[1]} exists on {_major(failing)}, so the failing side's version is not why"
    return match


def _not_the_newer_major(clues: Clues) -> bool:
    """The failing side's server is not a newer major than the other side's (or either is unknown)."""
    majors = clues.majors()
    return majors is None or majors[0] <= majors[1]


def _major(major: versions.Major) -> str:
    return f"Postgres {major[0]}" if major[0] >= 10 else f"Postgres {major[0]}.{major[1]}"


# ---- TLS

def _tls(clues: Clues) -> str | None:
    """A TLS failure consistent with the failing side's own TLS state (a certificate error on a side
    whose server has TLS; "server does not support SSL" on a side whose server has none)."""
    failure = tls.tls_failure(clues.text)
    if failure is None:
        return None
    if failure.server_has_tls is not None and failure.server_has_tls != tls.serves_tls(clues.failing):
        return None
    return failure.said


# ---- privileges and extensions

_EXTENSION_REFUSED = pattern(
    r'extension "([^"]+)" is not allow-listed|Only members of "azure_pg_admin" are allowed to use CREATE EXTENSION'
    # a provider creating extensions only in its own schema: IBM Cloud Databases', Heroku's ("extension
    # "btree_gist" must be installed in schema "heroku_ext"")
    r"|extensions can only be installed in schema '\w+'|extension \"([^\"]+)\" must be installed in schema\b"
    r'|extension "([^"]+)" is not (?:allowed|supported|available)'
    r'|permission denied to create extension "([^"]+)"'
    r'|could not open extension control file "[^"]*/([^/"]+)\.control"'
)


def _extension_not_allowed(clues: Clues) -> str | None:
    """CREATE EXTENSION refused on a side whose server allows a list of extensions that lacks it."""
    found = _EXTENSION_REFUSED.search(clues.text)
    allowed = clues.failing.database.extensions if clues.failing.database else None
    if not found or allowed is None:
        return None
    name = next((group for group in found.groups() if group), None)
    if name is not None and name in allowed:
        return None
    return f"“{' '.join(found.group(0).split())[:80]}” (not in database.extensions)"


def _function_of_a_disallowed_extension(clues: Clues) -> str | None:
    """A missing function an extension provides, on a side whose allow-list lacks that extension: the
    migration's CREATE EXTENSION was refused (or skipped) and the function never arrived."""
    found = extensions.extension_for(clues.text)
    allowed = clues.failing.database.extensions if clues.failing.database else None
    if found is None or allowed is None or found[1] in allowed:
        return None
    return f"{found[0]}() comes from {found[1]}, which database.extensions does not allow"


# The role a client connects as, refused on an object or a role it is not a member of.
_ON_RELATIONS = pattern(r"permission denied for (?:schema|table|relation|sequence|view|materialized view)\b"
                        r"|must be able to SET ROLE|must be (?:a )?member of role")

# ---- connections lost mid-step

_CONNECTION_LOST = text(
    r"server closed the connection unexpectedly|SSL connection has been closed unexpectedly"
    r"|Connection terminated unexpectedly|connection was closed in the middle of operation"
    r"|ConnectionDoesNotExistError|PG::UnableToSend|PG::ConnectionBad"
    r"|the database system is (?:shutting down|starting up|in recovery mode)"
    r"|An I/O error occurred while sending to the backend|This connection has been closed"
    r"|Exception while reading from stream|tcp recv(?: \(idle\))?: closed"
    # the server refusing connections while it is down between the old primary and the new (libpq's,
    # PDO's [2002], a driver's ECONNREFUSED on a database port)
    r"|(?:could not connect to server|connection to server at[^\n]*failed|\[2002\])[^\n]*Connection refused"
    r"|\bECONNREFUSED\b[^\n]*:(?:5432|6432|3306)\b|\bdial tcp \S+:(?:5432|6432|3306): connect: connection refused"
    # MySQL's client words for the same lost connection (CR_SERVER_LOST 2013, CR_SERVER_GONE_ERROR 2006)
    r"|\bLost connection to MySQL server\b|\bMySQL server has gone away\b"
)
# MySQL's demoted writer (errno 1290 ER_OPTION_PREVENTS_STATEMENT, 1836 ER_READ_ONLY_MODE), the 25006
# of a MySQL failover: the AWS drivers' wrappers take both as the signal to fail over.
_MYSQL_READ_ONLY = text(r"running with the --read-only option so it cannot execute|\bER_OPTION_PREVENTS_STATEMENT\b"
                        r"|\bRunning in read-only mode\b")
_BACKEND_CRASHED = text(
    r"terminating connection because of crash of another server process|all server processes terminated; reinitializing"
    r"|server process \(PID \d+\) was terminated by signal 9|Failed on request of size|(?:ERROR|FATAL):\s+out of memory"
)

# A notification out of turn (a driver's "unexpected message 'A'", the NotificationResponse byte), the
# server's "you don't own a lock" on unlock, a client failing to release an advisory lock by its key.
_SESSION_STATE_LOST = text(
    r"\bunexpected message '?A'?(?:\W|$)|\bunexpected NotificationResponse\b|\byou don't own a lock of type\b"
    # a cursor declared on one server connection and fetched on another (Django's server-side
    # cursors), an unnamed statement another client's Parse replaced before this Bind
    r'|\bcursor "[^"\n]*" does not exist|\bInvalidCursorName\b'
    r"|\bbind message supplies \d+ parameters?, but prepared statement \S*\s?requires \d+"
    r"|\b(?:failed|unable|could not)\s+(?:to\s+)?releas\w*\s+(?:the\s+)?(?:advisory\s+lock\b|lock\s+\d+)"
)

# The same two conditions where a driver prints neither code: by condition name (Postgrex's and epgsql's
# :invalid_sql_statement_name, duplicate_prepared_statement), or in the server's words with the quotes
# escaped inside a printed map or tuple (\"ecto_9061\").
_PREPARED_ELSEWHERE = text(r"\binvalid_sql_statement_name\b|\bduplicate_prepared_statement\b"
                           r'|\bprepared statement \\?"[^"\n]+\\?" (?:does not exist|already exists)')

_SERVER_NO_MEMORY = text(r"could not (?:fork|map anonymous shared memory|create shared memory)[^\n]*"
                         r"Cannot allocate memory")

# ---- the app's process

_KILLED_PROCESS = re.compile(r"Kill(?:ed)? process \d+ \((\w+)\)")


def _kernel_oom_of(process_is_postgres: bool) -> Match:
    def match(clues: Clues) -> str | None:
        killed = _KILLED_PROCESS.search(clues.text)
        if killed and (killed.group(1).startswith("postgres") == process_is_postgres):
            return f"the kernel OOM-killed {killed.group(1)}"
        return None
    return match


_APP_KILLED = text(
    r"OOMKilled|Memory cgroup out of memory|oom-kill|JavaScript heap out of memory|\bMemoryError\b"
    r"|<--- Last few GCs --->"  # V8's banner before it gives up on the heap
    r"|java\.lang\.OutOfMemoryError|Cannot allocate memory|was sent SIGKILL! Perhaps out of memory"
    r"|fatal error: runtime: out of memory|exit(?:ed with)? code:? 137\b"
    # a process pool or supervisor reporting that its child was SIGKILLed (Celery/billiard, uWSGI,
    # supervisord, Python's subprocess)
    r"|Worker exited prematurely: signal 9|exited with 'signal 9 \(SIGKILL\)'|killed by signal 9"
    r"|terminated by SIGKILL|died with <Signals\.SIGKILL: 9>"
    # a process status in each runtime's words for SIGKILL: Go's os/exec ("signal: killed", as Lambda's runtime
    # and Nomad print it), Ruby's Process::Status ("termsig: 9", "SIGKILL (signal 9)")
    r"|\bsignal: killed\b|\btermsig: 9\b|\bSIGKILL \(signal 9\)"
    # php-fpm's master: "child 10 exited on signal 9 (SIGKILL)"
    r"|\bexited on signal 9\b"
    # a shell reporting its child's SIGKILL: "line 73:    23 Killed    bundle exec sidekiq", or "Killed" alone
    r"|^(?:[^\n]*:\s+\d+\s+)?Killed(?:\s{2,}\S[^\n]*)?\s*$"
    # runtimes' own out-of-memory: the JVM's error names without their class, the BEAM's allocators
    r"|\bJava heap space\b|\bGC overhead limit exceeded\b"
    r"|\b(?:eheap|sys|ll|binary|ets|temp)_alloc: Cannot (?:re)?allocate \d+ bytes of memory"
    # a platform's own memory meter (Heroku's R14/R15)
    r"|\bMemory quota (?:vastly )?exceeded\b"
    # the OS refusing the app memory in each runtime's words: errno's name (Node's `spawn ENOMEM`),
    # Ruby's NoMemoryError ("failed to allocate memory")
    r"|\bENOMEM\b|\bNoMemoryError\b|\bfailed to allocate memory\b"
    # platforms stopping a container at its memory limit, in their own words: ECS' stopped reason,
    # Cloud Run's "Memory limit of 512 MiB exceeded with 516 MiB used", Render's "Ran out of memory"
    r"|\bContainer killed due to memory usage\b|\bMemory limit of \d+\s*\w+ exceeded\b"
    r"|\bexceed(?:s|ed)? (?:their|its|the) (?:allowed )?memory limit\b|\bRan out of memory\b"
    # the container runtime's own OOM event (containerd's TaskOOM, the kubelet's OOMKilling)
    r"|\bTaskOOM\b|\bOOMKilling\b|\bcontainer oom\b"  # ... and Docker's event stream ("container oom <id>")
    # the JVM failing to commit memory the cap does not leave it, and the buildpacks' memory calculator
    # refusing to start a JVM whose regions do not fit the container ("greater than 256M available")
    r"|\binsufficient memory for the Java Runtime Environment\b|\bNative memory allocation \((?:mmap|malloc)\) failed"
    r"|\brequired memory \d+\w* is greater than \d+\w* available\b"
    # runtimes' out-of-memory exceptions by name (.NET's OutOfMemoryException), and a supervisor or worker
    # killer saying "Out of memory" in its own capitalised words (PumaWorkerKiller); the server's lower-case
    # "ERROR:  out of memory" is the database's, read before this
    r"|\bOutOfMemory(?:Error|Exception)\b|\bRuntime\.OutOfMemory\b|(?-i:\bOut of memory\b)"
)
_READ_ONLY = text(r"\bEROFS\b|\[Errno 30\]|read-only file system|ReadOnlyFileSystemException"
                   # a runtime that cannot make its temporary directory (Python's tempfile, Spring Boot)
                   r"|No usable temporary directory found|Unable to create tempDir"
                   # .NET's runtime host, which creates its diagnostics files under the temporary directory at start
                   r"|\bFailed to (?:initialize|create) CoreCLR\b"
                   # ... or a cache or work folder, in the JVM frameworks' words (Vert.x, Quarkus, Keycloak)
                   r"|\bUnable to create (?:folder|directory|dir) at path\b"
                   r"|\b(?:temporary|temp|tmp|cache) directory\b[^\n]*\b(?:not possible|unable|failed) to create it"
                   # a library that needs a writable directory and found none (Matplotlib's cache)
                   r"|\brequires access to a writable (?:cache |config |temporary |temp )?directory\b"
                   # Node's recursive mkdir reports EROFS as ENOENT (nodejs/node#47098): on a read-only root, a
                   # directory it could not make "does not exist"
                   r"|\bENOENT\b[^\n]*\bmkdir\b")
_OS_REFUSAL = text(
    r"\bEACCES\b|\[Errno 13\]|\bPermissionError\b|\bEPERM\b"
    r"|(?:Permission denied|Operation not permitted)(?::\s*['\"]?[./~]|\s*\(os error 1?3\))"
    r"|(?:open|mkdir|create|write|unlink|chmod|chown|bind|exec)\b[^\n]*: (?:Permission denied|Operation not permitted)"
    # a path or program the OS refused, quoted after the name of the tool that tried it (coreutils' "env: 'app':
    # Permission denied", runc's 'exec: "/entrypoint.sh": permission denied')
    r"|(?:^|\s)[\w./-]+: ['\"‘][^'\"’\n]+['\"’]: (?:Permission denied|Operation not permitted)"
)
_CSRF_LOST = text(
    r"CSRF (?:session )?token (?:is )?(?:missing|mismatch|invalid|expired)|CSRF Token Mismatch"
    # ... by the other names a server gives the token it put in its own form (SFTPGo's "form token", an
    # "XSRF token"), and in its other words for refusing it ("is not valid", "unable to verify ...")
    r"|\b(?:form|XSRF|anti-?forgery) token (?:is )?(?:not valid|invalid|missing|mismatch|expired)\b"
    r"|\b(?:unable to|failed to|could not|cannot) (?:verify|validate) (?:the )?(?:CSRF|XSRF|form) token\b"
    # Laravel renders its TokenMismatchException as a 419 page titled "Page Expired"
    r"|CSRF verification failed|InvalidAuthenticityToken|TokenMismatchException|\bPage Expired\b"
    r"|CSRF token from the \S+ (?:is )?"
    r"(?:missing|incorrect)|Your session has expired|session (?:not found|expired)"
    # Socket.IO's long-polling session, kept by the replica that opened it (its docs: "without
    # sticky sessions, you will experience HTTP 400 errors due to 'Session ID unknown'")
    r"|Session ID unknown"
)

# State each replica keeps for itself, met by another: a session store in the process (express-session
# warns it "will not scale past a single process"), the keys each instance makes for itself (ASP.NET
# Core's data-protection key ring), an Engine.IO/Socket.IO session another worker opened
# (python-engineio's "Invalid session <sid>", the transport upgrade to another replica failing).
_STATE_ON_ONE_REPLICA = text(
    r"\bwill not scale past a single process\b"
    r"|\bwas not found in the key ring\b|\bantiforgery token could not be decrypted\b"
    # ... and what the components built on that key ring say when another instance's key protected their data
    # (the OpenID Connect and OAuth handlers' state, the cookie handler's ticket, the session cookie)
    r"|\bUnable to unprotect the message\b|\bUnprotect ticket failed\b|\bError unprotecting the session cookie\b"
    r"|^\s*Invalid session [0-9a-f]{16,}\s*$"
    # a server looking up, by the id it handed out, a session another replica opened (the Kubernetes
    # dashboard's terminal: "handleTerminalSession: can't find session '58b0...'")
    r"|\b(?:can't|cannot|could not|unable to) find session\W{1,3}[0-9a-f]{16,}\b"
    # a WebSocket refused for the connection or session id another replica handed out (Socket.IO's
    # sid, SignalR's negotiated id; SignalR's server: "No Connection with that ID")
    r"|/socket\.io/\?EIO=\d[^\n]*\bfailed\b|WebSocket connection to '[^'\n]*[?&]s?id=[^'\n]*' failed\b"
    # (Firefox's words for the same refusal)
    r"|\bcan't establish a connection to the server at wss?://\S*[?&]s?id="
    r"|\bNo Connection with that ID\b"
    # the runtime itself naming the condition: a hint to enable sticky sessions or affinity when there are
    # several servers (SignalR's), a request proxied to "the wrong instance" (Meteor's file uploads)
    r"|\bsticky sessions?\b|\bsession affinity\b|\bwrong instance\b"
    # login state an identity server keeps per node (Keycloak's authentication sessions): a login that
    # "timed out" at once, an authorization code another node issued (its event's error=invalid_code),
    # and state another server prerendered (Blazor's "list of component records is not valid")
    r"|\blogin attempt timed out\b|\bauthentication session not found\b|\berror=(?:invalid|expired)_code\b"
    r"|\bcomponent records? (?:is|are) not valid\b"
    # a signed session cookie whose signature this instance cannot verify: each replica signed with a key it
    # made for itself (gorilla/securecookie returns "the value is not valid" when the HMAC does not verify)
    r"|\bsecurecookie: the value is not valid\b"
)

# A timeout the migration set itself (SET lock_timeout) is no server setting: settings only where the
# failing side's server gives a timeout the other's does not.
_CANCELLED = code("57014", "55P03")
# A session the server ended for idling: in a transaction (25P03), or at all (idle_session_timeout,
# Postgres 14+, 57P05: "terminating connection due to idle-session timeout").
_IDLE_TIMEOUT = any_of(code("25P03"), text(r"idle-in-transaction timeout|idle-session timeout"))

# ---- classes whose outcome depends on the rows

_ROWS_MATTER = ("22", "23", "40", "53", "54", "55", "57")


def _rows_matter(clues: Clues) -> str | None:
    """The failing side alone loaded data, and its error is of a class rows decide (integrity,
    data exceptions, timeouts, resources)."""
    if not clues.evidence.data_loaded_here_only:
        return None
    code = next((c for c in sorted(clues.sqlstates) if c[:2] in _ROWS_MATTER), None)
    return f"{sqlstate.condition(code)}, on the side that alone loaded data" if code else None


_DATA = ("data", "data.rows", "data.restore", "data.seed", "data.at")
_TRAFFIC = ("traffic", "traffic.hold", "traffic.hold_for", "traffic.sql", "traffic.rate", "traffic.connections")
_SERVER = ("database.memory", "database.settings", "database.version")
_DB = ("database.version", "database.image", "database.engine")  # a feature this server lacks
_MEASURED: list[Rule] = [
    Rule(lambda c: "the kernel OOM-killed the app" if c.evidence.component == "app" else None, ["app.memory"]),
    Rule(lambda c: "the kernel OOM-killed the database" if c.evidence.component == "database" else None,
         ["database.memory"]),
    Rule(_fact("startup", "oom_killed", "the kernel OOM-killed the app"), ["app.memory"]),
    Rule(_exit_137, ["app.memory"]),
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
    # Behind round robin: a client error from another replica than the one that answered the
    # request before it (a session, an upload, a cursor kept by one replica only).
    Rule(_state_on_another_replica, ["app.replicas", "app.sticky"]),
]
# An app not answering its probes while it starts, in the platform's words: the kubelet's liveness and
# readiness probes (before startup probes, the only ones), Heroku's boot timeout (R10).
_PROBE_AT_START = text(r"(?:Liveness|Readiness) probe failed|\bError R10 \(Boot timeout\)"
                       r"|failed to bind to \$?PORT within \d+ seconds"
                       # Cloud Run's and Azure App Service's start timeouts
                       # (with or without its timeout words: either way the platform gave up waiting)
                       r"|failed to start and (?:then )?listen on the port defined\b"
                       r"|\bdid not start within expected time limit\b|\bdidn't respond to HTTP pings on port\b"
                       # a deployment's health deadline spent: App Engine's "failed to become healthy in the
                       # allotted time", Railway's "replicas never became healthy", OpenShift's "took longer than
                       # 600 seconds to become ready", Nomad's "Task not running by deadline"
                       r"|\b(?:failed to|never|did not|didn't) bec[oa]me (?:healthy|ready)\b"
                       r"|\btook longer than \d+ seconds to become (?:healthy|ready)\b|\bnot running by deadline\b"
                       # a balancer's or deployer's health checks failed on the new task (ECS' "Task failed ELB
                       # health checks", a target group's "(reason Health checks failed)", Dokku's "Could not
                       # start due to 1 failed checks")
                       r"|\bfailed (?:(?:ELB|ALB|NLB|load balancer|target group) )?health ?checks\b"
                       r"|\bHealth ?checks? failed\b|\bdue to \d+ failed checks?\b")
_READ: list[Rule] = [
    # A server or minimum version named, and not reached by the failing side's server.
    Rule(_version_named, ["database.version", "database.image"]),
    Rule(_version_satisfied, []),
    Rule(text(r"\bSQLite\s+\d+(?:\.\d+)*\s+or\s+later"), ["database.engine"]),
    # The cluster's locale: an app that checks its database's collation (Synapse: "Database has
    # incorrect collation of 'en_US.utf8'. Should be 'C'"), a CREATE DATABASE whose collation, ctype
    # or encoding is not the template's (initdb gives the templates the encoding of the cluster's
    # locale: SQL_ASCII under C), an ICU locale the server cannot open.
    Rule(text(r"\b(?:incorrect|wrong|unsupported) (?:database )?(?:collation|ctype|LC_COLLATE|LC_CTYPE)\b"
               r"|\bnew (?:collation|LC_COLLATE|LC_CTYPE|locale|encoding) \(.*\) is incompatible with"
               r"|\bcould not open collator for locale|collation \"[^\"]+\" for encoding \"[^\"]+\" does not exist"
               # a locale the server's OS does not have: CREATE DATABASE's (15+ names the category:
               # "invalid LC_COLLATE locale name", "invalid LC_CTYPE locale name") and the server's settings
               r"|\binvalid (?:LC_(?:COLLATE|CTYPE) )?locale name\b"
               r"|invalid value for parameter \"lc_(?:messages|monetary|numeric|time)\""
               # ... and the tools that set a cluster up there (initdb, postgresql-common's
               # pg_createcluster) or glibc's own `locale`, refusing the environment's locale
               r"|\binvalid locale settings\b|\blocale requested by the environment is invalid\b"
               r"|\bCannot set LC_[A-Z]+ to default locale\b"
               # ... and the server refusing a database whose locale the OS under it lacks (an image whose libc
               # does not have the locale the cluster was initialised with)
               r"|\bdatabase locale is incompatible with operating system\b|\bwhich is not recognized by setlocale\(\)"
               # CREATE DATABASE on a cluster whose encoding the locale asked for cannot have
               r"|\bencoding \"[^\"]+\" does not match locale\b"),
         ["database.locale", "database.icu_locale"]),
    # A provider's allow-list refusing CREATE EXTENSION (Azure's words, or plain Postgres').
    Rule(_extension_not_allowed, ["database.extensions"]),
    # The image lacks an extension: the image (or the version it is built for) decides.
    Rule(any_of(code("58P01"), text(r'extension "[^"]+" is not available|could not open extension control file'),
                text(r'type "(?:vector|geometry|geography|hstore|citext|ltree)" does not exist')),
         ["database.image", "database.extensions", "database.version"]),
    # A transaction pooler hands each transaction a different server connection: a statement a
    # driver prepared on one is missing on the next (asyncpg, psycopg 3, pgx, node-postgres, JDBC
    # name theirs __asyncpg_stmt_N__, _pg3_N, stmtcache_N, S_N...) or collides with another
    # client's of the same name.
    Rule(all_of(any_of(code("26000", "42P05"), _PREPARED_ELSEWHERE), _pooled), ["database.pooler"]),
    # Session state a transaction pooler gives to another client or takes away: a notification
    # (protocol message 'A') reaching a connection that never ran LISTEN, an advisory lock the
    # session no longer holds when it unlocks.
    Rule(all_of(_SESSION_STATE_LOST, _pooled_in_this_step), ["database.pooler"]),
    # Privileges: Postgres 15 revoked CREATE on `public`; then the roles production connects as;
    # then the superuser bit (extensions, untrusted languages, databases, owners).
    Rule(_public_schema_15, ["database.version"]),
    # The system catalogs belong to the bootstrap superuser: a grant to the app's roles never covers
    # them, so a catalog refused is the superuser bit, whatever roles the clients connect as.
    Rule(text(r"permission denied for (?:table|relation|view|sequence|schema) \"?pg_(?:catalog\b|[a-z_]+)"),
         ["database.superuser", "database.roles"]),
    Rule(all_of(lambda c: c.says(_ON_RELATIONS), _has_roles), ["database.roles", "database.superuser"]),
    Rule(any_of(code("42501"), text(r"must be (?:a )?superuser|must be owner of|must be a member of role"
                                    r"|only superusers?\b|permission denied: \"RI_ConstraintTrigger"
                                    # a tool's own check of the role it connects as ("You need to be
                                    # a superuser to ...", "superuser privileges required")
                                    r"|\bneeds? to be (?:a )?superuser\b|\bSuperUserError\b"
                                    r"|\bsuperuser (?:privileges?|rights|role) (?:is |are )?required\b")),
         ["database.superuser", "database.roles"]),
    # PgBouncer's own refusals (its docs' words): the pooler's limits, not the server's.
    Rule(all_of(text(r"no more connections allowed \(max_client_conn\)|pgbouncer cannot connect to server"
                     r"|query_wait_timeout|server login retry"
                     # a startup parameter the pooler does not track (pgjdbc's and lib/pq's extra_float_digits)
                     r"|unsupported startup parameter"), _pooled), ["database.pooler"]),
    Rule(code("53300"), ["database.max_connections"]),
    # libpq's, and every stack's, TLS failures; a 28000 that names a certificate is one.
    Rule(_tls, ["database.ssl"]),
    # A secret delivered with a trailing newline (a file written by `echo`, a Secret made from one) reaches
    # the server or library inside the credential it names; a key that cannot decrypt what the app was built
    # with is the wrong value: both before the refused login they cause.
    Rule(SECRET_WITH_NEWLINE, ["secrets.values", "secrets.source", "secrets.path"]),
    Rule(all_of(WRONG_KEY, lambda c: c.evidence.step == "startup"), ["secrets.values", "secrets.source", "secrets.path"]),
    Rule(any_of(code("28000", "28P01"), text(r"no pg_hba\.conf entry|password authentication failed")), []),
    # Memory: the kernel's OOM killer, runtimes' own out-of-memory, a server backend killed.
    Rule(_kernel_oom_of(process_is_postgres=True), ["database.memory"]),
    # A process still running at the end of its grace period after SIGTERM, in the platform's words (Heroku's
    # "Error R12 (Exit timeout) -> At least one process failed to exit within 30 seconds of SIGTERM", then
    # "Stopping remaining processes with SIGKILL"; Docker's "failed to exit within 10 seconds of signal 15"):
    # the shutdown's SIGKILL, whatever exit code (137) it leaves.
    Rule(text(r"\bError R12 \(Exit timeout\)|\bfailed to exit within \d+ ?s(?:econds?)? of (?:SIGTERM|signal 15)\b"
              r"|\bStopping remaining processes with SIGKILL\b"), ["app.shutdown"]),
    # A supervisor that kills its own worker at its own timeout (gunicorn's WORKER TIMEOUT, uWSGI's
    # harakiri) sent the SIGKILL, not the kernel, whatever it guesses ("Perhaps out of memory?").
    Rule(text(r"\bWORKER TIMEOUT\b|\bHARAKIRI ON WORKER\b"), []),
    # The server's own allocation failures carry the OS's "Cannot allocate memory" too: the server's.
    Rule(all_of(_SERVER_NO_MEMORY, _db_capped), ["database.memory"]),
    Rule(_SERVER_NO_MEMORY, []),
    # The server's own words for its out of memory ("Failed on request of size") and its recovery after a
    # killed backend are the database's, whatever words an app's runtime shares with them; a 53200 read
    # from an exception's name alone (OutOfMemoryError) may be a runtime's, so it comes after the app's.
    Rule(all_of(_BACKEND_CRASHED, _db_capped), ["database.memory"]),
    Rule(all_of(any_of(_kernel_oom_of(process_is_postgres=False), _APP_KILLED), _capped), ["app.memory"]),
    Rule(all_of(code("53200"), _db_capped), ["database.memory"]),
    # A statement the server ended for a reason of its own (a timeout) is that reason, even though
    # the connection then closed: these come before the failover's lost connection.
    # A session idle in a transaction is ended by a setting, whatever the rows: the setting or unsure.
    Rule(all_of(_IDLE_TIMEOUT, _timeout_set_here), ["database.settings"]),
    Rule(_IDLE_TIMEOUT, []),
    # A cancel request the client sent (a driver's or pool's own timeout, Ctrl-C) is no server setting.
    Rule(text(r"canceling statement due to user request"), []),
    # Statements cancelled: by a timeout setting when one differs, else by the rows it had to go through.
    Rule(all_of(_CANCELLED, _timeout_set_here), ["database.settings", *_DATA]),
    Rule(_CANCELLED, _DATA),
    # The server went away mid-step and came back (a managed failover), on the side that fails over
    # then; or the client reached a standby still in recovery (25006).
    Rule(all_of(any_of(code("57P01", "57P02", "57P03", "08006", "08003", "25006"), _CONNECTION_LOST, _MYSQL_READ_ONLY),
                _fails_over_now),
         ["database.failover"]),
    # The filesystem: a read-only root, then permissions of the user the app runs as.
    Rule(all_of(_READ_ONLY, _read_only), ["app.read_only", "app.tmpfs"]),
    Rule(secret_missing(declared_on_both=False), ["secrets.values"]),
    Rule(secret_missing(declared_on_both=True), ["secrets.source", "secrets.path", "secrets.values"]),
    Rule(NO_SIGNING_KEY, ["secrets.source", "secrets.path", "secrets.values"]),
    Rule(any_of(secret_wrong_size, secret_wrong_form, KEY_OF_WRONG_LENGTH), ["secrets.values"]),
    # The user the app runs as: "permission denied" alone is any server's or tool's word; only an OS
    # refusal (errno's name or number, or a path or port refused) on a side whose app.user is set.
    Rule(all_of(_OS_REFUSAL, _runs_as_user), ["app.user"]),
    # Rows production has and the laptop does not: integrity (class 23), outside a catalog index
    # that concurrent DDL races for (in English or a translated server's words and quotes).
    Rule(text(r"unique constraint \"pg_\w+_index\"|(?:Unique-Constraint|contrainte unique|restricción de unicidad"
              r"|restrição de unicidade|ограничение уникальности)\s*[»«„“\"]\s?pg_\w+_index\b"), []),
    Rule(code("23505", "23502", "23503", "23514", "23P01", "23000"), _DATA),
    # A value too long, out of range or not of its column's type (22P02, a cast of text rows hold):
    # SQLite never enforces a declared length, width or type, so a SQLite side cannot meet it;
    # between two servers, the rows one side has.
    Rule(code("22001", "22003", "22P02"), ["database.engine", *_DATA]),
    # Versions: what the release notes say exists on one major and not the other.
    Rule(_release_notes("only_other"), ["database.version", "database.image"]),
    Rule(_function_of_a_disallowed_extension, ["database.extensions"]),
    # A function an extension provides, missing where nothing refuses that extension: its CREATE
    # EXTENSION was refused for want of superuser, skipped, or the image lacks it; the text alone
    # cannot say which, and it is not the server's major.
    Rule(lambda c: (f"{found[0]}() comes from the {found[1]} extension"
                    if (found := extensions.extension_for(c.text)) else None), []),
    Rule(any_of(_release_notes("present"), _release_notes("absent")), []),
    # A feature this server (version, engine) does not have. Comparing mismatched types is not
    # one: SQLite compares anything, Postgres refuses, whatever the version.
    Rule(text(r"operator does not exist"), ["database.engine"]),
    # SQLite groups by any column, stores any value in any column and resolves any operator;
    # Postgres refuses a column neither grouped nor aggregated (42803), a value or type change it
    # cannot cast implicitly (42804) and an operator it cannot choose for an untyped parameter
    # (42725), whatever the version or the rows.
    Rule(code("42725", "42803", "42804"), ["database.engine"]),
    # A parameter the release notes do not place in any major is no server's (a driver's option sent
    # as one, a misspelling): only the release notes name the version for a parameter. Nor is
    # "feature not supported" (0A000, DB-API's NotSupportedError) one: a plan cached before DDL, a
    # cursor WITH HOLD through a pooler; the release notes and a named minimum say when it is.
    Rule(any_of(code("42883"), text(r"function .* does not exist|no such function|near \".*\": syntax error")), _DB),
    # Syntax is added, almost never taken away: a syntax error on the newer major is not its version.
    Rule(all_of(code("42601"), _not_the_newer_major), _DB),
    # The platform in its own words: the kubelet's startup probe, a session kept by one replica.
    # (and the kubelet's event when it kills the container for it: "failed startup probe, will be restarted")
    Rule(text(r"Startup probe failed|\bfailed startup probe\b"), ["app.startup_probe", "app.cpus"]),
    Rule(all_of(_PROBE_AT_START, lambda c: c.evidence.step == "startup"), ["app.startup_probe", "app.cpus"]),
    # An OAuth/OIDC callback's CSRF (state) check: libraries keep that state in a cookie (oauth2-proxy)
    # as often as in a server session, so another replica answering says nothing the text can tell.
    Rule(text(r"\b(?:OAuth2?|OIDC|OpenID)\b[^\n]*\b(?:CSRF|state)\b[^\n]*\bmismatch"), []),
    # A CSRF check refused for the request's origin or referer (Django's "Origin checking failed ... does not
    # match any trusted origins") is the app's trusted-origins setting or a proxy's headers, not a replica.
    Rule(text(r"\b(?:Origin|Referer) checking failed\b|\bdoes not match any trusted origins\b"), []),
    Rule(all_of(any_of(_CSRF_LOST, _STATE_ON_ONE_REPLICA), _balanced, lambda c: c.evidence.step == "smoke"),
         ["app.replicas", "app.sticky"]),
    # Not a profile matter: objects the migrations did not create, a role or type the app named.
    Rule(any_of(code("42P01", "42703", "42704", "42P10"),
                text(r"relation .* does not exist|column .* does not exist|no such (?:table|column)")), []),
    # What the side that alone loaded data failed at, where rows decide the outcome.
    Rule(_rows_matter, _DATA),
]
RULES: list[Rule] = [*(Rule(r.match, r.keys, "measured") for r in _MEASURED), *_READ]


def suspect(evidence: Evidence, baseline: Profile, target: Profile) -> Suspicion | None:
    """The profile key the failing side's evidence points at, among keys that really differ."""
    differing = differing_keys(baseline, target)
    clues = read_clues(evidence, baseline, target)
    for rule in RULES:
        because = rule.match(clues)
        if because is None:
            continue
        keys = [k for k in rule.keys if k in differing]
        return Suspicion(keys[0], because, rule.source, tuple(keys[1:])) if keys else None
    return None
