"""SQLSTATE codes read from an error, wherever a driver, an ORM or a migration tool prints them:
the code itself, the condition's name, the exception class named after it, or the server's own
message for the conditions whose message is fixed.

Codes and names are PostgreSQL's (Appendix A, "PostgreSQL Error Codes"); the drivers' spellings
are their documented ones (psycopg's errors module, asyncpg.exceptions, Rails' PG:: classes,
Postgrex's "ERROR 23505 (unique_violation)", Prisma's P2002, Sequelize's and Ecto's names).
"""

from __future__ import annotations

import functools
import re

# SQLSTATE -> condition name. psycopg/psycopg2 and Rails' PG:: name their exception classes after
# the condition name in CamelCase; asyncpg adds "Error".
CONDITIONS = {
    "08000": "connection_exception",
    "08001": "sqlclient_unable_to_establish_sqlconnection",
    "08003": "connection_does_not_exist",
    "08006": "connection_failure",
    "08P01": "protocol_violation",
    "0A000": "feature_not_supported",
    "22001": "string_data_right_truncation",
    "22003": "numeric_value_out_of_range",
    "22012": "division_by_zero",
    "22021": "character_not_in_repertoire",
    "22023": "invalid_parameter_value",
    "22P02": "invalid_text_representation",
    "23000": "integrity_constraint_violation",
    "23502": "not_null_violation",
    "23503": "foreign_key_violation",
    "23505": "unique_violation",
    "23514": "check_violation",
    "23P01": "exclusion_violation",
    "25006": "read_only_sql_transaction",
    "25P03": "idle_in_transaction_session_timeout",
    "26000": "invalid_sql_statement_name",
    "28000": "invalid_authorization_specification",
    "28P01": "invalid_password",
    "40001": "serialization_failure",
    "40P01": "deadlock_detected",
    "42501": "insufficient_privilege",
    "42601": "syntax_error",
    "42803": "grouping_error",
    "42804": "datatype_mismatch",
    "42703": "undefined_column",
    "42704": "undefined_object",
    "42725": "ambiguous_function",
    "42883": "undefined_function",
    "42P01": "undefined_table",
    "42P05": "duplicate_prepared_statement",
    "42P10": "invalid_column_reference",
    "53100": "disk_full",
    "53200": "out_of_memory",
    "53300": "too_many_connections",
    "54000": "program_limit_exceeded",
    "55P03": "lock_not_available",
    "57014": "query_canceled",
    "57P01": "admin_shutdown",
    "57P02": "crash_shutdown",
    "57P03": "cannot_connect_now",
    "58P01": "undefined_file",
}
BY_NAME = {name: code for code, name in CONDITIONS.items()}

# Where drivers and tools print the code: PDO "SQLSTATE[42883]", pgx "(SQLSTATE 42883)", Flyway
# "SQL State  : 42501", node-postgres "code: '42501'", Hasura "status_code": "42501", tokio-postgres
# "SqlState(E42501)", IDE consoles "[42883] ERROR:", Npgsql "42883: function ...", Postgrex
# "ERROR 42703 (undefined_column)", MySQL's driver "sqlState: '23000'".
_CODE_AT = [
    re.compile(r"SQL\s?STATE\s*(?:\[|:|=)?\s*['\"]?([0-9A-Z]{5})\b", re.IGNORECASE),
    re.compile(r"\b(?:pg)?(?:code|sqlstate|status_code)['\"]?\s*[:=]\s*['\"]?([0-9A-Z]{5})\b", re.IGNORECASE),
    re.compile(r"SqlState\(E([0-9A-Z]{5})\)"),
    re.compile(r"(?:^|\s)\[([0-9A-Z]{5})\]"),
    re.compile(r"(?:^|\s)([0-9A-Z]{5}): "),
    re.compile(r"\b(?:ERROR|FATAL) ([0-9A-Z]{5}) \([a-z_]+\)"),
    re.compile(r"original_code: Some\(\"([0-9A-Z]{5})\"\)"),
]
# Exception classes whose names are not the condition's, each with the code it carries.
_CLASS_CODES = {
    "23505": r"RecordNotUnique|SequelizeUniqueConstraintError|UniqueConstraintViolation|ER_DUP_ENTRY"
             r"|SQLITE_CONSTRAINT_UNIQUE|\bP2002\b|DuplicateKeyException",
    "23503": r"InvalidForeignKey|SequelizeForeignKeyConstraintError|\bP2003\b",
    "23502": r"(?:ActiveRecord::)NotNullViolation|\bP2011\b",
    "57P01": r"AdminShutdown(?:Error)?",
    "26000": r"InvalidSQLStatementNameError",
}
# The server's fixed messages (and SQLite's, MySQL's) for conditions a driver may print bare.
_MESSAGE_CODES = {
    "23505": r"duplicate key value violates unique constraint|could not create unique index"
             r"|UNIQUE constraint failed|Unique constraint failed on the fields|\bDuplicate entry\b"
             r"|cannot CREATE UNIQUE INDEX; duplicate keys found",  # Oracle's ORA-01452
    "22001": r"value too long for type",
    "22003": r"\b(?:smallint|integer|bigint) out of range|is out of range for type",
    "22P02": r"invalid input syntax for (?:type )?[a-z]",
    "23000": r"Integrity constraint violation|\bIntegrityError\b",
    "23502": r"contains null values|violates not-null constraint|NOT NULL constraint failed",
    "23503": r"violates foreign key constraint|FOREIGN KEY constraint failed|a foreign key constraint fails",
    "23514": r"violates check constraint|is violated by some row",
    "57P01": r"terminating connection due to administrator command",
    "57014": r"canceling statement due to (?:statement|user request)",
    "25006": r"cannot execute \w+(?: \w+)? in a read-only transaction|cannot set transaction read write mode during recovery",
    "42501": r"permission denied (?:for|to)\b|must be able to SET ROLE|must be (?:a )?member of role",
    "53300": r"too many clients|remaining connection slots are reserved|\btoo many connections\b",
    "26000": r'prepared statement "[^"\n]*" does not exist|unnamed prepared statement does not exist',
    "42P05": r'prepared statement "[^"\n]*" already exists|prepared statement name is already in use',
    "42703": r"\bcolumn \S+ does not exist",
    "42883": r"\bfunction \S+ does not exist",
    "42601": r"syntax error at or near|syntax error at end of input",
    "42803": r"must appear in the GROUP BY clause or be used in an aggregate function",
    "42804": r"cannot be cast automatically to type|is of type [\w ]+ but expression is of type",
    "42725": r"\b(?:operator|function)\b[^\n]*? is not unique",
    # a shared library a server loads (an extension's, a preloaded one's) missing from its image
    "58P01": r"could not access file \"\$libdir/",
}
# The same fixed messages from a server whose lc_messages is not English, in its message catalogs'
# words (German, French, Spanish, Brazilian Portuguese, Russian), as such servers print them.
_TRANSLATED_CODES = {
    "23505": r"doppelter Schlüsselwert verletzt Unique-Constraint|clé dupliquée rompt la contrainte unique"
             r"|llave duplicada viola restricción de unicidad|duplicar valor da chave viola a restrição de unicidade"
             r"|повторяющееся значение ключа нарушает ограничение уникальности",
    # (the NOT NULL refused, and "column ... contains null values" when the constraint is added over rows)
    "23502": r"verletzt Not-Null-Constraint|viole la contrainte NOT NULL|contient des valeurs NULL|enthält NULL-Werte"
             r"|viola la restricción de no nulo|viola a restrição de não-nulo|нарушает ограничение NOT NULL",
    "23503": r"verletzt Fremdschlüssel-Constraint|viole la contrainte de clé étrangère|viola la llave foránea"
             r"|viola a restrição de chave estrangeira|нарушает ограничение внешнего ключа",
    "22001": r"Wert zu lang für Typ|valeur trop longue pour le type",
}


def read_codes(text: str) -> frozenset[str]:
    """Every SQLSTATE the text carries: printed, named, or implied by a fixed server message."""
    codes = {code for pattern in _CODE_AT for code in pattern.findall(text)}
    for name, code in BY_NAME.items():
        if _class_name(name).search(text) or re.search(rf"\({name}\)", text):
            codes.add(code)
    for code, pattern in (*_CLASS_CODES.items(), *_MESSAGE_CODES.items(), *_TRANSLATED_CODES.items()):
        if re.search(pattern, text):
            codes.add(code)
    return frozenset(code for code in codes if code in CONDITIONS)


def condition(code: str) -> str:
    """A code with its condition's name, as a note says it: "unique_violation (SQLSTATE 23505)"."""
    return f"{CONDITIONS.get(code, 'SQLSTATE')} (SQLSTATE {code})"


@functools.cache
def _class_name(condition_name: str) -> re.Pattern[str]:
    camel = "".join(part.capitalize() for part in condition_name.split("_"))
    # Python's own SyntaxError is no server error: the syntax class is read by code or message.
    if camel == "SyntaxError":
        return re.compile(r"(?:errors\.|PG::|Postgres)SyntaxError\b")
    if camel == "OutOfMemory":  # a runtime's own type by its namespace (the JVM's java.lang.OutOfMemoryError,
        # Lambda's Runtime.OutOfMemory) is that runtime's heap, not the server's
        return re.compile(r"(?<!lang\.)(?<!Runtime\.)(?<![A-Za-z])OutOfMemory(?:Error)?\b")
    return re.compile(rf"(?<![A-Za-z]){camel}(?:Error)?\b")
