"""What each Postgres major added or removed, so that "does not exist", "syntax error at or near" and
"unrecognized configuration parameter" name the version only when the thing exists on the other
side's major and not on the failing side's; and the minimum a driver or an app names by number.

Facts from the PostgreSQL release notes (E.x "Migration to Version N" and the feature lists) and
the pg_stat_statements / monitoring-view pages of each major's documentation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from parity.profile.models import Profile

Major = tuple[int, int]  # (15, 0); before 10 a major has two parts: (9, 6)
Span = tuple[Major | None, Major | None]  # (added in, removed in); None: always there / never removed


def parse_major(text: str) -> Major | None:
    """The major of a version as written: "15", "9.6", "9.6.24", "17.2 (Debian ...)", "pg16", or a
    server_version_num (90300, 150004)."""
    found = re.search(r"(\d+)(?:\.(\d+))?", text)
    if not found:
        return None
    first, second = int(found.group(1)), int(found.group(2) or 0)
    if first >= 10000:  # server_version_num: 90300 is 9.3, 150004 is 15
        return (first // 10000, 0) if first >= 100000 else (first // 10000, first // 100 % 100)
    return (first, 0) if first >= 10 else (first, second)


def _m(text: str) -> Major:
    major = parse_major(text)
    assert major is not None
    return major


def _since(version: str) -> Span:
    return (_m(version), None)


def _until(version: str) -> Span:
    return (None, _m(version))


FUNCTIONS: dict[str, Span] = {
    "gen_random_uuid": _since("13"), "trim_scale": _since("13"), "min_scale": _since("13"),
    "jsonb_path_query": _since("12"), "jsonb_path_exists": _since("12"), "jsonb_path_match": _since("12"),
    "range_agg": _since("14"), "string_to_table": _since("14"), "trim_array": _since("14"), "date_bin": _since("14"),
    "bit_count": _since("14"), "unistr": _since("14"),
    "regexp_count": _since("15"), "regexp_like": _since("15"), "regexp_instr": _since("15"),
    "regexp_substr": _since("15"), "pg_split_walfile_name": _since("15"),
    "any_value": _since("16"), "json_scalar": _since("16"), "json_agg_strict": _since("16"),
    "pg_input_is_valid": _since("16"), "array_shuffle": _since("16"), "array_sample": _since("16"),
    "merge_action": _since("17"), "pg_column_toast_chunk_id": _since("17"), "pg_sync_replication_slots": _since("17"),
    "uuidv7": _since("18"), "uuidv4": _since("18"), "casefold": _since("18"), "array_sort": _since("18"),
    "pg_current_wal_lsn": _since("10"), "pg_last_wal_replay_lsn": _since("10"), "pg_walfile_name": _since("10"),
    "pg_current_xlog_location": _until("10"), "pg_xlogfile_name": _until("10"),
    "pg_last_xlog_replay_location": _until("10"),
    "to_regclass": _since("9.4"), "json_build_object": _since("9.4"), "jsonb_set": _since("9.5"),
    "jsonb_build_object": _since("9.5"), "array_position": _since("9.5"), "jsonb_insert": _since("9.6"),
}
# Catalog and monitoring-view columns, by column name alone (unambiguous within the catalogs).
COLUMNS: dict[str, Span] = {
    # pg_stat_statements 1.8 (Postgres 13) split planning from execution time
    "total_time": _until("13"), "min_time": _until("13"), "max_time": _until("13"), "mean_time": _until("13"),
    "stddev_time": _until("13"), "total_exec_time": _since("13"), "mean_exec_time": _since("13"),
    "total_plan_time": _since("13"),
    # pg_stat_statements 1.11 (Postgres 17) renamed its block timings
    "blk_read_time": _until("17"), "blk_write_time": _until("17"), "shared_blk_read_time": _since("17"),
    "shared_blk_write_time": _since("17"), "local_blk_read_time": _since("17"), "local_blk_write_time": _since("17"),
    # ... after 1.10 (Postgres 15) timed temporary-file blocks
    "temp_blk_read_time": _since("15"), "temp_blk_write_time": _since("15"),
    # pg_stat_bgwriter gave its checkpoint and backend columns to pg_stat_checkpointer / pg_stat_io in 17
    "checkpoints_timed": _until("17"), "checkpoints_req": _until("17"), "buffers_backend": _until("17"),
    "buffers_backend_fsync": _until("17"), "buffers_checkpoint": _until("17"),
    "checkpoint_write_time": _until("17"), "checkpoint_sync_time": _until("17"),
    # pg_stat_progress_vacuum counts dead items in bytes since 17
    "max_dead_tuples": _until("17"), "num_dead_tuples": _until("17"), "max_dead_tuple_bytes": _since("17"),
    "dead_tuple_bytes": _since("17"), "num_dead_item_ids": _since("17"),
    # pg_stat_all_tables / pg_stat_all_indexes record the last scan since 16
    "last_seq_scan": _since("16"), "last_idx_scan": _since("16"), "n_tup_newpage_upd": _since("16"),
    # pg_stat_activity
    "procpid": _until("9.2"), "current_query": _until("9.2"), "waiting": _until("9.6"),
    "wait_event": _since("9.6"), "wait_event_type": _since("9.6"), "backend_type": _since("10"),
    "leader_pid": _since("13"), "query_id": _since("14"),
    # pg_class, pg_attrdef, pg_constraint, pg_proc, pg_database
    "relhasoids": _until("12"), "adsrc": _until("12"), "consrc": _until("12"), "proisagg": _until("11"),
    "proiswindow": _until("11"), "prokind": _since("11"), "datlastsysoid": _until("15"),
    "n_mod_since_analyze": _since("9.4"), "n_ins_since_vacuum": _since("13"),
    # pg_attribute, pg_index, pg_proc, pg_trigger, pg_class
    "atthasmissing": _since("11"), "attmissingval": _since("11"), "attgenerated": _since("12"),
    "attcompression": _since("14"), "indnullsnotdistinct": _since("15"), "prosqlbody": _since("14"),
    "tgparentid": _since("13"), "relrewrite": _since("11"),
    # pg_database's locale columns: 15 added the provider and ICU locale, 17 renamed daticulocale
    "datlocprovider": _since("15"), "datcollversion": _since("15"), "daticulocale": (_m("15"), _m("17")),
    "datlocale": _since("17"),
    # pg_replication_slots, pg_stat_database, pg_stat_statements (1.8 in 13, 1.10 in 15)
    "wal_status": _since("13"), "checksum_failures": _since("12"), "wal_records": _since("13"),
    "jit_functions": _since("15"),
}
# Columns whose bare names any application's tables use too: known only as the server qualifies them
# ("column pg_stat_activity.state does not exist").
QUALIFIED_COLUMNS: dict[str, Span] = {
    # pg_stat_activity split current_query into state and query, and procpid became pid, in 9.2
    "pg_stat_activity.state": _since("9.2"), "pg_stat_activity.query": _since("9.2"),
    "pg_stat_activity.pid": _since("9.2"), "pg_stat_activity.state_change": _since("9.2"),
    "pg_stat_activity.backend_xid": _since("9.4"), "pg_stat_activity.backend_xmin": _since("9.4"),
    "pg_stat_replication.state": _since("9.1"), "pg_stat_replication.replay_lag": _since("10"),
}
PARAMETERS: dict[str, Span] = {
    "lock_timeout": _since("9.3"), "unix_socket_directories": _since("9.3"), "wal_sender_timeout": _since("9.3"),
    "wal_receiver_timeout": _since("9.3"), "row_security": _since("9.5"), "wal_compression": _since("9.5"),
    "min_wal_size": _since("9.5"), "max_wal_size": _since("9.5"), "checkpoint_segments": _until("9.5"),
    "idle_in_transaction_session_timeout": _since("9.6"), "max_parallel_workers_per_gather": _since("9.6"),
    "max_parallel_workers": _since("10"), "jit": _since("11"), "enable_partitionwise_join": _since("11"),
    "vacuum_cleanup_index_scale_factor": (_m("11"), _m("14")), "default_table_access_method": _since("12"),
    "shared_memory_type": _since("12"), "ssl_min_protocol_version": _since("12"),
    "ssl_max_protocol_version": _since("12"), "wal_keep_segments": _until("13"), "wal_keep_size": _since("13"),
    "log_min_duration_sample": _since("13"), "hash_mem_multiplier": _since("13"),
    "operator_precedence_warning": _until("14"), "idle_session_timeout": _since("14"),
    "client_connection_check_interval": _since("14"), "compute_query_id": _since("14"),
    "stats_temp_directory": _until("15"), "recursive_worktable_factor": _since("15"),
    "force_parallel_mode": _until("16"), "debug_parallel_query": _since("16"), "vacuum_defer_cleanup_age": _until("16"),
    "promote_trigger_file": _until("16"), "transaction_timeout": _since("17"), "summarize_wal": _since("17"),
    "old_snapshot_threshold": _until("17"), "db_user_namespace": _until("17"),
    "bytea_output": _since("9.0"), "application_name": _since("9.0"), "custom_variable_classes": _until("9.2"),
    "silent_mode": _until("9.2"), "wal_sender_delay": _until("9.2"), "ssl_renegotiation_limit": _until("9.5"),
    "sql_inheritance": _until("10"), "min_parallel_relation_size": _until("10"),
    "min_parallel_table_scan_size": _since("10"), "replacement_sort_tuples": _until("11"),
    "plan_cache_mode": _since("12"), "enable_incremental_sort": _since("13"), "archive_library": _since("15"),
    "reserved_connections": _since("16"), "allow_alter_system": _since("17"), "io_combine_limit": _since("17"),
    "io_method": _since("18"),
}
# The token a server before the feature's major stops at ("syntax error at or near ...").
KEYWORDS: dict[str, Span] = {
    "MERGE": _since("15"), "NULLS": _since("15"), "JSON_TABLE": _since("17"), "JSON_EXISTS": _since("17"),
    "JSON_QUERY": _since("17"), "JSON_VALUE": _since("17"), "SYSTEM_USER": _since("16"), "JSON_OBJECT": _since("16"),
    "JSON_ARRAY": _since("16"), "COMPRESSION": _since("14"), "CALL": _since("11"), "PROCEDURE": _since("11"),
    "INCLUDE": _since("11"), "STORED": _since("12"), "OVERRIDING": _since("10"), "ATTACH": _since("10"),
    "DETACH": _since("10"), "CONFLICT": _since("9.5"), "TABLESAMPLE": _since("9.5"), "LATERAL": _since("9.3"),
    "MATERIALIZED": _since("9.3"), "VIRTUAL": _since("18"),
}
# Options of a statement's option list, by the name the server refuses ('option "locale_provider" not
# recognized' from CREATE DATABASE and COPY, 'unrecognized EXPLAIN option "memory"', 'unrecognized VACUUM
# option "parallel"'; VACUUM and ANALYZE take a generic list since 12: before, an unknown one is a syntax error).
OPTIONS: dict[str, Span] = {
    # CREATE DATABASE
    "locale": _since("13"), "locale_provider": _since("15"), "icu_locale": _since("15"),
    "collation_version": _since("15"), "strategy": _since("15"), "oid": _since("15"), "icu_rules": _since("16"),
    "builtin_locale": _since("17"),
    # COPY
    "freeze": _since("9.3"), "force_null": _since("9.4"), "default": _since("16"), "on_error": _since("17"),
    "log_verbosity": _since("17"), "reject_limit": _since("18"),
}
EXPLAIN_OPTIONS: dict[str, Span] = {
    "summary": _since("10"), "settings": _since("12"), "wal": _since("13"), "generic_plan": _since("16"),
    "serialize": _since("17"), "memory": _since("17"),
}
VACUUM_OPTIONS: dict[str, Span] = {
    "index_cleanup": _since("12"), "truncate": _since("12"), "parallel": _since("13"), "process_toast": _since("14"),
    "skip_database_stats": _since("16"), "only_database_stats": _since("16"), "buffer_usage_limit": _since("16"),
    "process_main": _since("16"),
}
# Operators as the server names them in "operator does not exist: jsonb || jsonb".
OPERATORS: dict[str, Span] = {
    "jsonb || jsonb": _since("9.5"), "jsonb - text": _since("9.5"), "jsonb - integer": _since("9.5"),
    "jsonb #- text[]": _since("9.5"), "jsonb @? jsonpath": _since("12"), "jsonb @@ jsonpath": _since("12"),
    "jsonb @> jsonb": _since("9.4"), "jsonb ? text": _since("9.4"), "jsonb ?| text[]": _since("9.4"),
    "jsonb ?& text[]": _since("9.4"), "jsonb -> text": _since("9.4"), "jsonb ->> text": _since("9.4"),
}
RELATIONS: dict[str, Span] = {
    "pg_stat_checkpointer": _since("17"), "pg_stat_io": _since("16"), "pg_stat_wal": _since("14"),
    "pg_stat_progress_copy": _since("14"), "pg_stat_replication_slots": _since("14"),
    "pg_stat_subscription_stats": _since("15"), "pg_stat_recovery_prefetch": _since("15"),
    "pg_stat_slru": _since("13"), "pg_stat_progress_analyze": _since("13"), "pg_stat_progress_basebackup": _since("13"),
    "pg_stat_gssapi": _since("12"), "pg_stat_progress_cluster": _since("12"),
    "pg_stat_progress_create_index": _since("12"), "pg_stat_wal_receiver": _since("9.6"),
    "pg_stat_progress_vacuum": _since("9.6"), "pg_replication_slots": _since("9.4"),
    "pg_sequences": _since("10"), "pg_publication": _since("10"), "pg_stat_subscription": _since("10"),
}

_QUOTE = r'\\?"'
_MISSING: tuple[tuple[dict[str, Span], re.Pattern[str]], ...] = (
    # the server's own word in its message translations (es, pt_BR, fr, it, de, ru: "no existe la
    # función f(text)", "la fonction f(text) n'existe pas", "Funktion f(text) existiert nicht")
    (FUNCTIONS, re.compile(r"\b(?:function|funci[oó]n|fun[cç][aã]o|fonction|funzione|Funktion|функция) "
                           r"(?:\w+\.)?(\w+)\(", re.IGNORECASE)),
    (QUALIFIED_COLUMNS, re.compile(rf"\bcolumn (?:{_QUOTE})?(\w+\.\w+)(?:{_QUOTE})? (?:does not|doesn't|not) exists?")),
    # "does not exist" is the server's; tools that translate it say "not exists" or "doesn't exist"
    (COLUMNS, re.compile(rf"\bcolumn (?:{_QUOTE})?(?:\w+\.)?(\w+)(?:{_QUOTE})? (?:does not|doesn't|not) exists?")),
    (PARAMETERS, re.compile(rf"unrecognized configuration parameter {_QUOTE}(\w+){_QUOTE}")),
    (KEYWORDS, re.compile(rf"syntax error at or near {_QUOTE}(\w+){_QUOTE}")),
    (RELATIONS, re.compile(rf"\brelation {_QUOTE}(?:\w+\.)?(\w+){_QUOTE} does not exist")),
    (OPERATORS, re.compile(r"operator does not exist: ([^\n]+?)\s*$", re.MULTILINE)),
    (OPTIONS, re.compile(rf"\boption {_QUOTE}(\w+){_QUOTE} not recognized", re.IGNORECASE)),
    (EXPLAIN_OPTIONS, re.compile(rf"\bunrecognized EXPLAIN option {_QUOTE}(\w+){_QUOTE}", re.IGNORECASE)),
    (VACUUM_OPTIONS, re.compile(rf"\bunrecognized (?:VACUUM|ANALYZE) option {_QUOTE}(\w+){_QUOTE}", re.IGNORECASE)),
)

Verdict = Literal["only_other", "present", "absent"]


def major_of(profile: Profile, measured: Mapping[str, Any] | None = None) -> Major | None:
    """A profile's server major: what parity measured (the database step's server_version), else
    the image's tag (pgvector/pgvector:pg16, postgres:15-alpine), else database.version."""
    if measured and measured.get("server_version"):
        return parse_major(str(measured["server_version"]))
    spec = profile.database
    if spec is None or not spec.postgres:
        return None
    if spec.image:
        tag = re.search(r":(?:pg)?(\d+(?:\.\d+)?)", spec.image)
        if tag:
            return parse_major(tag.group(1))
    return parse_major(str(spec.version))


def missing_on(text: str, failing: Major, other: Major) -> tuple[Verdict, str] | None:
    """What the release notes say of the things the text reports missing: 'only_other' (one exists on
    the other side's major, not on the failing side's), 'present' (the failing side's major has it,
    so its major is not why), 'absent' (neither has it); None when none is known."""
    seen: list[tuple[Verdict, str]] = []
    for table, pattern in _MISSING:
        for name in pattern.findall(text):
            # The server calls a literal's type "unknown" ("jsonb - unknown"): a text literal.
            name = name.replace("unknown", "text") if table is OPERATORS else name
            span = table.get(name) or table.get(name.lower()) or table.get(name.upper())
            if span is None:
                continue
            here, there = _has(span, failing), _has(span, other)
            seen.append(("present" if here else "only_other" if there else "absent", name))
    for verdict in ("only_other", "present", "absent"):
        found = next((name for v, name in seen if v == verdict), None)
        if found:
            return verdict, found
    return None


def _has(span: Span, major: Major) -> bool:
    added, removed = span
    return (added is None or major >= added) and (removed is None or major < removed)


_MINIMUM = [
    # with its minor and patch too ("PostgreSQL 9.4.0 or higher is required")
    re.compile(r"\b(?:PostgreSQL|Postgres|server)\s+v?(\d+(?:\.\d+){0,2})\s+or\s+(?:later|newer|higher|above|greater)",
               re.IGNORECASE),
    re.compile(r"\brequires?\s+(?:PostgreSQL|Postgres|server)\s*(?:version\s*)?(?:>=?|≥|at least|of at least|v)?"
               r"\s*(\d+(?:\.\d+)?)", re.IGNORECASE),
    re.compile(r"\bneeds at least (?:PostgreSQL |version )?(\d+(?:\.\d+)?)", re.IGNORECASE),
    # the comparison itself named as what is required ("PostgreSQL >= 11 is required for this version of GitLab")
    re.compile(r"\b(?:PostgreSQL|Postgres|server)\s*(?:>=?|≥)\s*v?(\d+(?:\.\d+)?)\s+(?:is\s+)?(?:required|needed)\b",
               re.IGNORECASE),
    re.compile(r"\bsupports?\s+(?:PostgreSQL|Postgres)\s*(?:>=?|≥)\s*(\d+(?:\.\d+)?)", re.IGNORECASE),
    # "minimum supported version is 12", "minimum required postgres version is 10.0"
    re.compile(r"\bminimum (?:(?:supported|required) )?(?:(?:PostgreSQL|Postgres|server|database) )?(?:version )?"
               r"(?:is )?v?(\d+(?:\.\d+)?)", re.IGNORECASE),
    re.compile(r"\b(\d+(?:\.\d+)?) is the minimum", re.IGNORECASE),
]


def minimum_named(text: str) -> Major | None:
    """The lowest server major the message says it accepts, if it names one."""
    for pattern in _MINIMUM:
        found = pattern.search(text)
        if found:
            return parse_major(found.group(1))
    return None
