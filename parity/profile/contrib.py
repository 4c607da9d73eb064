"""The extensions Postgres itself ships, by major (its contrib modules and procedural languages),
from Appendix F and the PL chapters of each major's documentation
(https://www.postgresql.org/docs/<major>/contrib.html): what `database.extensions` is checked
against before anything starts."""

from __future__ import annotations

import difflib
import re

# In every major parity runs (13 and later).
_EVERY_MAJOR = frozenset({
    "amcheck", "autoinc", "bloom", "btree_gin", "btree_gist", "citext", "cube", "dblink", "dict_int",
    "dict_xsyn", "earthdistance", "file_fdw", "fuzzystrmatch", "hstore", "insert_username", "intagg",
    "intarray", "isn", "lo", "ltree", "moddatetime", "pageinspect", "pg_buffercache", "pg_freespacemap",
    "pg_prewarm", "pg_stat_statements", "pg_trgm", "pg_visibility", "pgcrypto", "pgrowlocks",
    "pgstattuple", "plpgsql", "postgres_fdw", "refint", "seg", "sslinfo", "tablefunc", "tcn",
    "tsm_system_rows", "tsm_system_time", "unaccent", "uuid-ossp", "xml2",
    # Procedural languages and their transforms: in Postgres's source, packaged apart by Debian
    # (postgresql-plperl-N, ...), so the official image has none of them but plpgsql.
    "plperl", "plperlu", "plpython3u", "pltcl", "pltclu", "bool_plperl", "bool_plperlu",
    "hstore_plperl", "hstore_plperlu", "jsonb_plperl", "jsonb_plperlu", "hstore_plpython3u",
    "jsonb_plpython3u", "ltree_plpython3u",
})
# The ones that came or went: (first major, last major), None where open.
_SOME_MAJORS: dict[str, tuple[int | None, int | None]] = {
    "adminpack": (None, 16),  # removed in 17
    "old_snapshot": (14, 16),  # added in 14, removed in 17
    "pg_surgery": (14, None),
    "pg_walinspect": (15, None),
    "pg_logicalinspect": (18, None),
    # Python 2 went in 15.
    "plpython2u": (None, 14), "plpythonu": (None, 14), "hstore_plpython2u": (None, 14),
    "hstore_plpythonu": (None, 14), "jsonb_plpython2u": (None, 14), "jsonb_plpythonu": (None, 14),
    "ltree_plpython2u": (None, 14), "ltree_plpythonu": (None, 14),
}
# A name this close to one Postgres ships, and not one itself, is taken for a typo (measured: no
# common third-party extension, postgis to pg_cron to vector, comes this close to one).
_TYPO_CUTOFF = 0.85


def shipped(major: int) -> frozenset[str]:
    """The extensions Postgres ships for this major."""
    return _EVERY_MAJOR | {name for name, span in _SOME_MAJORS.items() if _within(major, span)}


def ships_ever(name: str) -> bool:
    """Whether some major of Postgres ships this extension (else it is a third party's, or a typo)."""
    return name in _EVERY_MAJOR or name in _SOME_MAJORS


def major_of(version: str, image: str | None) -> int | None:
    """The major a profile runs: its version, or the leading number of its image's tag
    (postgis/postgis:15-3.4 -> 15); None when an image's tag does not say."""
    if image is None:
        text = version
    else:  # registry:port/name:tag@digest -> tag
        text = image.partition("@")[0].rpartition("/")[2].partition(":")[2]
    found = re.match(r"\d+", text)
    return int(found.group(0)) if found else None


def unshipped(names: list[str], major: int) -> str | None:
    """Why these names cannot be on an allow-list for this major (an extension Postgres shipped
    only in other majors, or a near miss of one it ships), with what to do; None when they can."""
    for name in names:
        span = _SOME_MAJORS.get(name)
        if span is not None and not _within(major, span):
            first, last = span
            when = f"from {first} on" if last is None else f"up to {last}" if first is None else f"in {first} to {last}"
            return (f"Postgres {major} does not ship {name} (Postgres ships it {when}): remove it from "
                    f"database.extensions, or run a major that ships it (database.version, database.image)")
        if not ships_ever(name):
            near = difflib.get_close_matches(name, sorted(shipped(major)), n=1, cutoff=_TYPO_CUTOFF)
            if near:
                return (f"Postgres {major} ships no extension {name!r}: did you mean {near[0]!r}? "
                        f"(a third party's extension needs an image that has it: database.image)")
    return None


def _within(major: int, span: tuple[int | None, int | None]) -> bool:
    first, last = span
    return (first is None or major >= first) and (last is None or major <= last)
