"""What a failure's output keeps for the report and for the cause: its tail, led by the line that
says what went wrong when that line is above the tail (runtimes that print the error first)."""

from __future__ import annotations

from parity.diff import compare
from parity.evidence import error_line, excerpt, key_line, missing_tool, node_missing, tail
from parity.results import ProfileRun, StepResult
from tests.unit.test_cause_corpus import pair

# node-pg-migrate 7 with node-postgres 8 against a server that forces TLS, as it printed it
# (paths shortened): the message first, then the stack and the error object's fields, twice.
_NODE_FRAMES = [
    "    at parseErrorMessage (node_modules/pg-protocol/dist/parser.js:306:11)",
    "    at Parser.handlePacket (node_modules/pg-protocol/dist/parser.js:143:27)",
    "    at Parser.parse (node_modules/pg-protocol/dist/parser.js:37:38)",
    "    at Socket.<anonymous> (node_modules/pg-protocol/dist/index.js:12:42)",
    "    at Socket.emit (node:events:524:28)",
    "    at addChunk (node:internal/streams/readable:561:12)",
    "    at readableAddChunkPushByteMode (node:internal/streams/readable:512:3)",
    "    at Readable.push (node:internal/streams/readable:392:5)",
    "    at TCP.onStreamRead (node:internal/stream_base_commons:191:23) {",
    "  length: 158,", "  severity: 'FATAL',", "  code: '28000',", "  detail: undefined,", "  hint: undefined,",
    "  position: undefined,", "  internalPosition: undefined,", "  internalQuery: undefined,", "  where: undefined,",
    "  schema: undefined,", "  table: undefined,", "  column: undefined,", "  dataType: undefined,",
    "  constraint: undefined,", "  file: 'auth.c',", "  line: '476',", "  routine: 'ClientAuthentication'", "}",
]
_REJECTED = 'error: pg_hba.conf rejects connection for host "172.17.0.1", user "app", database "app", no encryption'
NODE_OUTPUT = "\n".join([f"could not connect to postgres: {_REJECTED}", *_NODE_FRAMES, _REJECTED, *_NODE_FRAMES])

PYTHON_OUTPUT = "\n".join([
    "Traceback (most recent call last):",
    *[f'  File "/app/m{i}.py", line {i}, in f{i}\n    f{i + 1}()' for i in range(12)],
    'psycopg.errors.InsufficientPrivilege: permission denied for schema public',
])


def test_a_traceback_indented_inside_a_programs_banner_still_gives_its_exception() -> None:
    # A server that prints its startup error framed by a row of stars, the traceback indented
    # (as Synapse's homeserver does): the frame's last row is not what went wrong.
    raised = "app.errors.SetupError: the database's collation is wrong"
    banner = "\n".join(["*" * 60, " Error during initialisation:", *indented(PYTHON_OUTPUT.replace(
        PYTHON_OUTPUT.splitlines()[-1], raised)), "", " There may be more information in the logs.", "*" * 60])
    assert error_line(banner) == key_line(banner) == raised
    assert error_line("\n".join(indented(PYTHON_OUTPUT))) == PYTHON_OUTPUT.splitlines()[-1]


def indented(text: str) -> list[str]:
    """Every line of a text four spaces deeper."""
    return ["    " + line for line in text.splitlines()]


def test_an_error_printed_before_a_long_stack_leads_the_excerpt() -> None:
    kept = excerpt(NODE_OUTPUT)
    assert _REJECTED not in tail(NODE_OUTPUT)  # what the tail alone lost
    assert kept.splitlines()[0] == _REJECTED
    assert kept.endswith(tail(NODE_OUTPUT))


def test_an_error_printed_last_is_just_the_tail() -> None:
    assert excerpt(PYTHON_OUTPUT) == tail(PYTHON_OUTPUT)
    assert excerpt("") == ""


def test_the_cause_is_read_from_a_node_tools_message_when_its_stack_is_long() -> None:
    # A whole-step migrations failure (no revisions parity can see), as the step reports it.
    local, prod = pair()

    def cause(detail: str) -> str | None:
        failed = StepResult(status="failed", summary="exit 1: " + _REJECTED, detail=detail)
        found, _ = compare(ProfileRun(name="local", steps={"migrations": StepResult(status="ok")}),
                           ProfileRun(name="prod", steps={"migrations": failed}), local, prod)
        assert [d.subject for d in found] == ["migrations"]
        return found[0].cause

    assert cause(tail(NODE_OUTPUT)) is None  # the SQLSTATE alone (28000) is not a profile matter
    assert cause(excerpt(NODE_OUTPUT)) == "database.ssl"


# Node's report of an uncaught exception (a test runner that could not open its report file).
NODE_UNCAUGHT = """node:fs:573
  return binding.open(
                 ^

Error: ENOENT: no such file or directory, open 'reports/smoke.xml'
    at Object.openSync (node:fs:573:18)
    at node:internal/main/eval_string:51:3 {
  errno: -2,
  code: 'ENOENT',
  syscall: 'open',
  path: 'reports/smoke.xml'
}

Node.js v20.20.2"""


def test_javascripts_bare_error_line_is_the_key_line() -> None:
    assert key_line(NODE_UNCAUGHT) == "Error: ENOENT: no such file or directory, open 'reports/smoke.xml'"
    assert key_line("could not connect: Error: connect ECONNREFUSED 127.0.0.1:5432\ndone") == \
        "could not connect: Error: connect ECONNREFUSED 127.0.0.1:5432"
    assert key_line("starting\nErrors: 0, warnings: 2\nfinished") == "finished"  # not an error line


def test_a_junit_message_escaped_twice_by_its_reporter_reads_as_written() -> None:
    from parity.steps.smoke import _entities_once_more

    # What ElementTree gives for Node 20's message="... host &amp;quot;172.17.0.1&amp;quot; ...".
    assert _entities_once_more('rejects host &quot;172.17.0.1&quot; &amp; user') == 'rejects host "172.17.0.1" & user'
    assert _entities_once_more('expected "a & b" < "c"') == 'expected "a & b" < "c"'  # escaped once: as is


# pytest's report of a test whose fixture raised (JUnit <error>), as --junitxml writes its text.
PYTEST_SETUP_ERROR = """@pytest.fixture
def db():
>       return psycopg.connect(os.environ["DATABASE_URL"])

smoke/conftest.py:9:
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _
.venv/lib/python3.11/site-packages/psycopg/connection.py:119: in connect
    raise last_ex.with_traceback(None)
E   psycopg.OperationalError: connection failed: FATAL:  password authentication failed for user "app"
E   Multiple connection attempts failed. All failures were:

.venv/lib/python3.11/site-packages/psycopg/connection.py:119: OperationalError"""


def test_the_error_line_is_pytests_explanation_or_the_exception_a_traceback_ends_with() -> None:
    assert error_line(PYTEST_SETUP_ERROR).startswith("psycopg.OperationalError: connection failed: FATAL:")
    assert error_line("def test_x():\n>       assert r.status == 200\nE       assert 500 == 200\n"
                      "E        +  where 500 = <Response>.status\n\ntests/test_x.py:5: AssertionError") == \
        "assert 500 == 200"
    # Python's exception, even when its class name says neither Error nor Exception, and log lines follow.
    assert error_line(PYTHON_OUTPUT.replace("InsufficientPrivilege", "UndefinedTable") + "\nworker: error: exiting") \
        == "psycopg.errors.UndefinedTable: permission denied for schema public"
    assert error_line("starting\nall good") == ""


def test_a_missing_program_or_module_reads_as_a_missing_environment() -> None:
    for text in ("ModuleNotFoundError: No module named 'flask'", "sh: 1: airflow: not found",
                 "bash: alembic: command not found", "/bin/sh: node: not found",
                 "Error: Cannot find module 'pg'", "exit 127: ",
                 'npm error npx canceled due to missing packages and no YES option: ["node-pg-migrate@9.0.0"]'):
        assert missing_tool(text), text
    for text in ("GET /missing -> 404 Not Found", "relation \"notes\" does not exist", "exit 1: boom",
                 "ERROR:  role \"app\" not found"):
        assert not missing_tool(text), text


def test_nodes_missing_packages_are_told_apart_from_pythons() -> None:
    assert node_missing("Error: Cannot find module 'pg'\nRequire stack:") and node_missing("sh: 1: node: not found")
    assert not node_missing("ModuleNotFoundError: No module named 'django'")


def test_npms_pointer_to_its_log_is_not_the_error() -> None:
    output = ('npm error npx canceled due to missing packages and no YES option: ["node-pg-migrate@9.0.0"]\n'
              "npm error A complete log of this run can be found in: /root/.npm/_logs/debug-0.log")
    assert key_line(output).startswith("npm error npx canceled due to missing packages")
