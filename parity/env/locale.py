"""The cluster's locale: the initdb arguments a profile's locale keys become, and initdb's own
complaint when the image lacks that locale, turned into one message with its fix."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from parity.errors import ImageLacks
from parity.profile.models import DatabaseSpec

# Both the official image and parity's stand-in pass this variable's words to initdb.
INITDB_ARGS_VAR = "POSTGRES_INITDB_ARGS"
# What the official image (and so the stand-in) can initialise a cluster with, without a custom image.
OFFICIAL_LOCALES = ("C", "C.UTF-8", "POSIX", "en_US.UTF-8")

# initdb's lines about the locale it was given: an unknown libc locale ("invalid locale name"),
# a charset that is not the encoding ("encoding mismatch"), an ICU locale it cannot use, or an
# option its major does not have (--locale-provider before 15), with its hints.
# (Not its warnings: a cluster that was made says "enabling trust authentication ... option -A".)
_COMPLAINT = re.compile(r"^.*\binitdb: (?:(?:error|hint): .*(?:locale|encoding|\bICU\b)"
                        r"|.*(?:unrecognized|invalid) option).*$", re.MULTILINE | re.IGNORECASE)


def initdb_args(spec: DatabaseSpec) -> str:
    """POSTGRES_INITDB_ARGS for the spec's locale keys ('' when it sets none: the image's LANG decides).

    The encoding is UTF8 whenever a locale is named, as managed Postgres has it: initdb would
    otherwise make `C` a SQL_ASCII cluster, which drivers cannot decode.
    """
    words: list[str] = []
    if spec.locale:
        words.append(f"--locale={spec.locale}")
    if spec.icu_locale:
        words += ["--locale-provider=icu", f"--icu-locale={spec.icu_locale}"]
    if words:
        words.append("--encoding=UTF8")
    return " ".join(words)


def complaint(logs: str) -> str | None:
    """initdb's own lines about the locale or its options among a container's logs, if any."""
    lines = [" ".join(match.group(0).split()) for match in _COMPLAINT.finditer(logs)]
    return "; ".join(dict.fromkeys(lines)) or None


def unavailable(spec: DatabaseSpec, said: str) -> ImageLacks:
    """The error for a cluster that initdb would not make with the spec's locale (the image is at fault)."""
    asked = ", ".join(f"{key} {value}" for key, value in
                      (("database.locale", spec.locale), ("database.icu_locale", spec.icu_locale)) if value)
    image = spec.image_ref()
    if "--locale-provider" in said:  # an initdb from before ICU default collations
        fix = "database.icu_locale needs Postgres 15 or later: set database.image to such an image, or drop icu_locale"
    else:
        fix = (f"use a locale the image has ({', '.join(OFFICIAL_LOCALES)} in the official image), or set "
               f"database.image to an image built FROM {image} that generates it "
               f"(e.g. RUN localedef -i de_DE -f UTF-8 de_DE.UTF-8)")
    return ImageLacks(f"{image} cannot initialise a cluster with {asked or 'its default locale'}: initdb said: {said}",
                      fix)


# The readiness check's one query: the server's version and the database's row. pg_database's
# columns differ by major (the ICU locale is daticulocale in 15-16, datlocale from 17 on); a JSON
# row reads the same on all.
READY_QUERY = ("SELECT current_setting('server_version'), to_jsonb(d) FROM pg_database d "
               "WHERE datname = current_database()")
_PROVIDERS = {"c": "libc", "i": "icu", "b": "builtin"}


@dataclass(frozen=True)
class ClusterLocale:
    """The locale the app's database really has: LC_COLLATE and LC_CTYPE, and the provider of its
    default collation with that provider's locale (ICU's, or the builtin one from Postgres 17)."""

    collation: str
    ctype: str
    provider: str = "libc"
    provider_locale: str = ""

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ClusterLocale:
        """From pg_database's row of the database, as JSON."""
        provider = _PROVIDERS.get(str(row.get("datlocprovider") or "c"), "libc")
        other = row.get("datlocale") or row.get("daticulocale") or ""
        return cls(str(row.get("datcollate") or ""), str(row.get("datctype") or ""), provider,
                   str(other) if provider != "libc" else "")

    def facts(self) -> dict[str, str]:
        """The database step's facts: collation and ctype, and the provider's locale where not libc."""
        facts = {"collation": self.collation, "ctype": self.ctype}
        if self.provider != "libc":
            facts.update(locale_provider=self.provider, **{f"{self.provider}_locale": self.provider_locale})
        return facts
