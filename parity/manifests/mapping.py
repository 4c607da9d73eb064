"""The result of reading a manifest: each profile key with its value and the field it came from,
each item parity cannot honour with the reason, and what parity supplies itself."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from parity.profile.units import format_size

KeyPath = tuple[str, ...]

# Names of variables that are database coordinates: parity supplies them (DATABASE_URL always,
# the others through database.env templates), so a manifest's values are never copied. The
# placeholder is the database field each one stands for.
_COORDINATES = {
    "URL": "url", "URI": "url", "DSN": "url", "HOST": "host", "HOSTNAME": "host", "PORT": "port",
    "USER": "user", "USERNAME": "user", "PASSWORD": "password", "PASS": "password",
    "NAME": "name", "DATABASE": "name", "DB": "name", "DBNAME": "name",
}
_COORDINATE = re.compile(r"^(?:(?:DATABASE|DB|POSTGRES|POSTGRESQL|PG)_?)(URL|URI|DSN|HOST|HOSTNAME|PORT|USER|USERNAME|"
                         r"PASSWORD|PASS|NAME|DATABASE|DB|DBNAME)$")
# The words a variable's name uses when its value is a secret (SPEC: PASSWORD, SECRET, TOKEN, KEY,
# CREDENTIALS), as whole words of the name or at its end (API_KEY, APIKEY, GITHUB_TOKEN).
_SECRET_WORDS = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY", "CREDENTIALS")


def database_placeholder(name: str) -> str | None:
    """The database field ({url}, {host}, ...) a variable stands for, if it is a database coordinate."""
    match = _COORDINATE.match(name.upper())
    return _COORDINATES[match.group(1)] if match else None


def looks_secret(name: str) -> bool:
    """Whether a variable's name says its value is a secret."""
    upper = name.upper()
    words = re.split(r"[_.-]", upper)
    return any(word in _SECRET_WORDS for word in words) or upper.endswith(_SECRET_WORDS)


def secret_env_name(name: str) -> str:
    """The variable parity reads a secret's value from on this machine (db-password -> DB_PASSWORD)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", name).upper()


@dataclass(frozen=True)
class Mapped:
    """One profile key: its value as the profile model holds it (bytes, seconds), what the profile
    file says, and the manifest field it came from."""

    key: KeyPath
    value: object
    source: str
    written: object = None  # what the file says when not `value` (512MiB for 536870912)

    @property
    def dotted(self) -> str:
        """The key as users write it: app.memory."""
        return ".".join(self.key)

    @property
    def text(self) -> object:
        """What the profile file says."""
        return self.value if self.written is None else self.written


@dataclass(frozen=True)
class Unmapped:
    """Something the manifest declares that the profile cannot say, and why."""

    item: str
    reason: str


@dataclass(frozen=True)
class Supplied:
    """A database coordinate found in the manifest that parity supplies itself (never copied)."""

    name: str
    source: str
    placeholder: str  # the database field it stands for: url, host, port, ...
    via: str = "env"  # how the manifest hands it to the app: env | files


@dataclass
class ManifestMapping:
    """Everything read from one workload (or compose service)."""

    origin: str  # e.g. "Deployment/web, container web (deploy.yaml)"
    mapped: list[Mapped] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)
    supplied: list[Supplied] = field(default_factory=list)

    def add(self, key: str | KeyPath, value: object, source: str, written: object = None) -> None:
        """Map a key (dotted, or a path when a part may hold a dot, as env names can)."""
        path = tuple(key.split(".")) if isinstance(key, str) else key
        self.mapped = [m for m in self.mapped if m.key != path]
        self.mapped.append(Mapped(path, value, source, written))

    def skip(self, item: str, reason: str) -> None:
        """List something that cannot be mapped."""
        self.unmapped.append(Unmapped(item, reason))

    def supply(self, name: str, source: str, via: str = "env") -> bool:
        """If `name` is a database coordinate, list it as supplied by parity; whether it was one."""
        placeholder = database_placeholder(name)
        if placeholder is None:
            return False
        self.supplied.append(Supplied(name, source, placeholder, via))
        return True

    def drop(self, key: str, reason: str) -> None:
        """Unmap a key (another profile decides it), listing why."""
        path = tuple(key.split("."))
        for item in [m for m in self.mapped if m.key == path]:
            self.mapped.remove(item)
            self.skip(item.source, reason)

    def profile_keys(self) -> list[Mapped]:
        """Every key the profile gets: the mapped ones, and a database.env template for each
        database coordinate parity supplies other than DATABASE_URL (which it always delivers)."""
        templates = [Mapped(("database", "env", s.name), "{" + s.placeholder + "}", f"supplied by parity ({s.source})")
                     for s in self.supplied if s.name != "DATABASE_URL"]
        return [*templates, *self.mapped]

    def get(self, key: str) -> object:
        """The mapped value of a dotted key, or None."""
        path = tuple(key.split("."))
        return next((m.value for m in self.mapped if m.key == path), None)

    def has(self, prefix: str) -> bool:
        """Whether any key under a dotted prefix is mapped."""
        path = tuple(prefix.split("."))
        return any(m.key[: len(path)] == path for m in self.mapped)


def size_written(size: int) -> object:
    """A size as the profile writes it: binary units when exact (512MiB), else the bytes themselves."""
    text = format_size(size).replace(" ", "")
    return text if text.endswith("iB") and "." not in text else size
