"""compose's variable interpolation, from the project's .env file only: `${X:-default}`,
`${X-default}`, `${X:?error}`, `${X:+alt}`, `$X`, `$$`. The shell's environment is not
consulted, so the same files give the same profile on every machine."""

from __future__ import annotations

import re
from pathlib import Path

from parity.errors import ProfileError

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOTENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:=\s*(.*))?$")


def dotenv_names(path: Path) -> list[str]:
    """The variable names a dotenv file sets (its values are never read into anything written)."""
    return list(read_dotenv(path, {}))


def read_dotenv(path: Path, known: dict[str, str]) -> dict[str, str]:
    """NAME -> value of a dotenv file, as compose reads it (quotes, `export`, comments, ${X} inside)."""
    values: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"cannot read {path}: {exc}", "check the file") from None
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _DOTENV_LINE.match(line)
        if match is None:
            raise ProfileError(f"{path}:{number}: not a NAME=value line", "fix the line or remove it")
        name, raw = match.group(1), match.group(2) or ""
        values[name] = _dotenv_value(raw.strip(), {**known, **values}, f"{path}:{number}")
    return values


def _dotenv_value(raw: str, known: dict[str, str], where: str) -> str:
    if raw[:1] == "'" and raw.rfind("'") > 0:
        return raw[1:raw.rfind("'")]  # single quotes: literal
    if raw[:1] == '"' and raw.rfind('"') > 0:
        inner = raw[1:raw.rfind('"')]
        inner = inner.replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")
        return interpolate(inner, known, where)
    # Unquoted: a ` #` starts a comment.
    value = re.split(r"\s+#", raw, maxsplit=1)[0].strip()
    return interpolate(value, known, where)


def interpolate(text: str, variables: dict[str, str], where: str) -> str:
    """`text` with compose's substitutions made from `variables` alone."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != "$":
            out.append(char)
            i += 1
            continue
        following = text[i + 1: i + 2]
        if following == "$":
            out.append("$")
            i += 2
        elif following == "{":
            end = _closing_brace(text, i + 2, where)
            out.append(_braced(text[i + 2:end], variables, where))
            i = end + 1
        elif match := _NAME.match(text, i + 1):
            out.append(variables.get(match.group(0), ""))
            i = match.end()
        else:
            out.append("$")
            i += 1
    return "".join(out)


def _closing_brace(text: str, start: int, where: str) -> int:
    depth = 1
    for index in range(start, len(text)):
        if text[index] == "{" and text[index - 1] == "$":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    raise ProfileError(f"{where}: unclosed ${{ in {text!r}", "close it with }, or write $$ for a literal $")


def _braced(expression: str, variables: dict[str, str], where: str) -> str:
    match = _NAME.match(expression)
    if match is None:
        raise ProfileError(f"{where}: ${{{expression}}} is not a variable", "write ${NAME} or ${NAME:-default}")
    name, rest = match.group(0), expression[match.end():]
    value = variables.get(name)
    if not rest:
        return value or ""
    for operator in (":-", ":?", ":+", "-", "?", "+"):
        if rest.startswith(operator):
            word = rest[len(operator):]
            empty_counts = operator.startswith(":")
            present = value is not None and (value != "" or not empty_counts)
            if operator.endswith("-"):
                return value if present and value is not None else interpolate(word, variables, where)
            if operator.endswith("+"):
                return interpolate(word, variables, where) if present else ""
            if not present:
                raise ProfileError(f"{where}: {name} is required: {word or 'not set'}",
                                   f"set {name} in the .env beside the compose file")
            return value or ""
    raise ProfileError(f"{where}: ${{{expression}}} is not an interpolation compose understands",
                       "write ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error} or ${NAME:+alt}")


def interpolate_all(data: object, variables: dict[str, str], where: str) -> object:
    """Every string value in a loaded compose file, interpolated (keys are left as written)."""
    if isinstance(data, str):
        return interpolate(data, variables, where)
    if isinstance(data, dict):
        return {key: interpolate_all(value, variables, where) for key, value in data.items()}
    if isinstance(data, list):
        return [interpolate_all(item, variables, where) for item in data]
    return data
