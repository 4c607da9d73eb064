"""Which extension provides a function a migration calls, so that "function X does not exist" on a
side whose allow-list (database.extensions) lacks that extension names the allow-list.

From each extension's documentation page in PostgreSQL's "Additional Supplied Modules" (pgcrypto,
uuid-ossp, pg_trgm, fuzzystrmatch, unaccent, earthdistance, hstore, citext) and pgvector's and
PostGIS's own references.
"""

from __future__ import annotations

import re

PROVIDED_BY: dict[str, str] = {
    **dict.fromkeys(("gen_random_bytes", "gen_salt", "crypt", "digest", "hmac", "pgp_sym_encrypt",
                     "pgp_sym_decrypt", "pgp_pub_encrypt", "pgp_pub_decrypt", "armor", "dearmor"), "pgcrypto"),
    **dict.fromkeys(("uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v3", "uuid_generate_v4",
                     "uuid_generate_v5", "uuid_nil", "uuid_ns_url"), "uuid-ossp"),
    **dict.fromkeys(("similarity", "word_similarity", "strict_word_similarity", "show_trgm",
                     "set_limit", "show_limit"), "pg_trgm"),
    **dict.fromkeys(("levenshtein", "levenshtein_less_equal", "soundex", "difference", "metaphone",
                     "dmetaphone", "dmetaphone_alt", "daitch_mokotoff"), "fuzzystrmatch"),
    "unaccent": "unaccent",
    **dict.fromkeys(("ll_to_earth", "earth_distance", "earth_box"), "earthdistance"),
    **dict.fromkeys(("hstore_to_json", "hstore_to_jsonb", "akeys", "avals", "skeys", "svals"), "hstore"),
    **dict.fromkeys(("l2_distance", "cosine_distance", "inner_product", "vector_dims", "vector_norm"), "vector"),
    **dict.fromkeys(("st_geomfromtext", "st_makepoint", "st_setsrid", "st_distance", "st_dwithin",
                     "st_transform", "st_asgeojson", "st_intersects", "st_contains"), "postgis"),
}
_FUNCTION = re.compile(r"\bfunction (?:\w+\.)?(\w+)\(")


def extension_for(text: str) -> tuple[str, str] | None:
    """The first missing function the text names that an extension provides: (function, extension)."""
    for name in _FUNCTION.findall(text):
        extension = PROVIDED_BY.get(name.lower())
        if extension:
            return name, extension
    return None
