"""A secret the app could not find where the profile delivers it: a line naming a secret the
profiles declare as missing (in each stack's words: KeyError, "not set", pydantic's "Field
required" under the field's name, a validator's list, Spring's unresolved placeholder), and JWT
libraries refusing to sign without a key."""

from __future__ import annotations

import re

from parity.causes.clues import Clues, Match, pattern, text

# JWT libraries refusing to sign or verify without a key (jsonwebtoken, passport-jwt), and frameworks
# refusing to start or encrypt without theirs (Laravel's MissingAppKeyException for APP_KEY).
NO_SIGNING_KEY = text(r"secretOrPrivateKey must have a value|JwtStrategy requires a secret or key"
                      r"|No application encryption key has been specified|MissingAppKeyException"
                      # Auth.js/NextAuth's MissingSecret ("[NO_SECRET] Please define a `secret`"), and
                      # Microsoft.IdentityModel refusing an empty signing key (IDX10703)
                      r"|\bMissingSecret(?:Error)?\b|\[NO_SECRET\]|\bkey length is zero\b"
                      # any library asking for the key it was not given ("must specify a key", Encryptor's)
                      r"|\b(?:must|need to|please) (?:specify|provide|set|define) (?:a |an |the )?"
                      r"(?:secret|(?:encryption |signing |secret |private )?key)\b"
                      # ... or naming its secret option as required (express-session's "secret option
                      # required for sessions")
                      r"|\bsecret (?:option |setting )?(?:is )?required\b")


# A credential quoted with the newline (or carriage return, or escaped \\n) a secret file kept at its end:
# Postgres' 'password authentication failed for user "app\\n"', a token or key echoed back with it.
SECRET_WITH_NEWLINE = text(r"""\b(?:user|role|password|token|key|secret)\b[^\n"']{0,20}[\s:=(]["'][^"'\s]+(?:\\[nr]|\n[ \t]*)["']""")
# The app's encrypted configuration not decrypting with the key it was given (Rails' credentials with the
# wrong RAILS_MASTER_KEY, Laravel's MAC check with another APP_KEY, a Fernet token under another key).
WRONG_KEY = text(r"\bMessageEncryptor::InvalidMessage\b|\bCouldn't decrypt\b[^\n]*\bwrong key\b|\bThe MAC is invalid\b"
                 r"|\bfernet\.InvalidToken\b")


def secret_missing(*, declared_on_both: bool) -> Match:
    """A line that names a secret the profiles declare (or DATABASE_URL) as missing; split by
    whether both profiles declare it (then how it is delivered matters) or one only."""
    def match(clues: Clues) -> str | None:
        names = clues.secrets_on_both if declared_on_both else clues.secret_names - clues.secrets_on_both
        for line in _joined_field_errors(clues.text):
            if _MISSING.search(line):
                for name in sorted(names):
                    if _names(line, name):
                        return f"the secret {name} reported missing"
        return None
    return match


_MISSING = pattern(
    r"KeyError|not (?:set|configured|defined|found|provided)|undefined|missing|must not be empty"
    # ... and the same said of what a feature runs without ("secrets enabled without a configured `secret_key`")
    r"|\bwithout (?:a |an |the |any )?(?:configured|provided|set)\b"
    r"|must be (?:set|provided)|is (?:required|empty)|\bset the\b|no such (?:file|secret)|field required"
    r"|could not resolve placeholder|\bno\b[^\n]* was found|validation fail"
    # a validator asking for the value: "Provide a JWT secret using `jwt_secret` key" (Authelia)
    r"|\bprovide (?:a|an|the)\b"
    # schema validators of the environment (t3-env over zod): "Invalid environment variables:
    # { NAME: [ 'Required' ] }"
    r"|\binvalid environment variables?\b|\[\s*['\"]Required['\"]\s*\]"
    # a program that could not read the variable or secret it was to be given
    r"|\b(?:could not|couldn't|cannot|can't|unable to) (?:get|read|find|load|fetch) (?:the )?(?:value of )?"
    r"(?:env(?:ironment)? var(?:iable)?|secret)\b"
    # pydantic showing the value it refused was empty: whatever its validator asks (a length, a form),
    # nothing was delivered ("... at least 32 characters long [type=value_error, input_value='', ...]")
    r"|\binput_value=(?:''|\"\")"
)
# pydantic prints a field's name on its own line and its error on the next one ("Field required", or any
# validator's message, with the error's type in brackets or parentheses: "[type=missing, ...]").
_FIELD_NAME = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*$")
_FIELD_ERROR = re.compile(r"field required|[\[(]type=", re.IGNORECASE)
# Settings validators list the missing names under one line ("... are missing:", then "- NAME").
_LISTED = re.compile(r"(?:missing|required|not set|undefined)\s*:\s*$", re.IGNORECASE)
_ITEM = re.compile(r"^\s*[-*•]\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")


def _joined_field_errors(text: str) -> list[str]:
    """The text's lines, each name joined to the words that say it is missing: a pydantic field
    name to the error line under it, a listed name to the line that heads the list."""
    lines = [line for line in text.splitlines() if line.strip()]
    joined: list[str] = []
    heading = ""
    for i, line in enumerate(lines):
        item = _ITEM.match(line)
        if item and heading:
            joined.append(f"{item.group(1)}: {heading}")
            continue
        heading = line.strip() if _LISTED.search(line) else ""
        name = _FIELD_NAME.match(line)
        if name and i + 1 < len(lines) and _FIELD_ERROR.search(lines[i + 1]):
            joined.append(f"{name.group(1)}: {lines[i + 1].strip()}")
        else:
            joined.append(line)
    return joined


def _names(line: str, secret: str) -> bool:
    """Whether the line names this secret: exactly, any case (Rails' secret_key_base for
    SECRET_KEY_BASE), as its tail (Django's SECRET_KEY read from DJANGO_SECRET_KEY), as the
    section a nested name belongs to (pydantic's `security` for SECURITY__JWT_SECRET_KEY), or as
    the dotted property an environment variable binds to (Spring's relaxed binding:
    jasypt.encryptor.password for JASYPT_ENCRYPTOR_PASSWORD), whose kebab-case last segment is
    the secret's tail (system.secret-key for SENTRY_SECRET_KEY)."""
    names = re.findall(r"[A-Za-z][A-Za-z0-9_]*(?:[.-][A-Za-z0-9_]+)+", line)
    dotted = [re.sub(r"[.-]", "_", w) for w in names]
    # ... and a dotted property's last segment written in kebab case, the name it binds under its section
    # (Sentry's `system.secret-key` for SENTRY_SECRET_KEY's tail, Spring's app.jwt-secret for JWT_SECRET)
    kebab = [w.rsplit(".", 1)[-1].replace("-", "_") for w in names if "-" in w.rsplit(".", 1)[-1]]
    for word in [*re.findall(r"[A-Za-z][A-Za-z0-9_]*", line), *dotted, *kebab, *_phrases(line)]:
        w, s = word.lower(), secret.lower()
        if w == s or ("_" in w and s.endswith("_" + w)) or s.startswith(w + "__"):
            return True
    return False


def _phrases(line: str) -> list[str]:
    """Two or three words in a row, joined as a variable's name: the name in words ("Secret key
    missing" for AUTHENTIK_SECRET_KEY's tail, "API token not set" for API_TOKEN)."""
    found: list[str] = []
    for run in re.split(r"[^A-Za-z0-9 ]+", line):
        words = run.split()
        for size in (2, 3):
            found += ["_".join(words[i:i + size]) for i in range(len(words) - size + 1)]
    return found


# A size a library asks of a key or secret ("at least 64 bytes", "greater than '128' bits", zod's
# "exactly 24 character(s)"), and an HMAC algorithm a key is too short for (HS256's 128 bits).
_SIZE = pattern(r"\b(?:at least|at most|exactly|greater than|less than|longer than|shorter than|must be)\s+'?\d+'?\s*"
                r"(?:bytes?|bits?|char(?:acter)?s?|character\(s\))(?:\W|$)")
# An encryption library refusing a key for its length or form (Laravel's "Unsupported cipher or incorrect
# key length", "The cipher and / or key length are invalid").
KEY_OF_WRONG_LENGTH = text(r"\b(?:incorrect|invalid|wrong)\s+key\s+length\b|\bkey lengths? (?:is|are) invalid\b"
                           r"|\bcipher and / or key length\b")
_HMAC = pattern(r"\b(?:HS(?:256|384|512)|HMAC)\b")
_KEY = pattern(r"\b(?:key|secret)\b")


# A form a library asks of a secret's value ("must only contain hex characters", "must be base64 encoded",
# "is not valid hex"): said on a line that names a declared secret, the value delivered is not the one asked.
_FORM = pattern(r"\b(?:must|should)\s+(?:only\s+)?(?:contain|consist of|be)\s+(?:only\s+)?(?:a\s+)?(?:valid\s+)?"
                r"(?:hex(?:adecimal)?|base-?64|base64url|alphanumeric|ascii)\b"
                r"|\bis not (?:a )?valid (?:hex(?:adecimal)?|base-?64)\b")


def secret_wrong_form(clues: Clues) -> str | None:
    """A secret delivered in the wrong form: a form asked of its value on a line that names a declared
    secret (Homarr's "SECRET_ENCRYPTION_KEY must only contain hex characters")."""
    for line in clues.text.splitlines():
        if _FORM.search(line):
            name = next((n for n in sorted(clues.secret_names) if _names(line, n)), None)
            if name:
                return f"the secret {name} is not in the form its value must have"
    return None


def secret_wrong_size(clues: Clues) -> str | None:
    """A secret delivered with the wrong length: a size asked on a line that names a declared secret,
    or within the next two lines (validators print the path under the message), or of an HMAC key."""
    lines = [line for line in clues.text.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        if not _SIZE.search(line):
            continue
        near = " ".join(lines[i:i + 3])
        name = next((n for n in sorted(clues.secret_names) if _names(near, n)), None)
        if name:
            return f"the secret {name} has the wrong length"
        if _HMAC.search(line):
            return "an HMAC signing key of the wrong length"
        if _KEY.search(line):  # "key must be 32 bytes or longer": a key, whichever secret it came from
            return "a key of the wrong length"
    return None
