"""Secret redaction: every known secret value, in every form it travels in, becomes `***`."""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Iterable
from typing import Any, TypeVar
from urllib.parse import quote, quote_plus

from pydantic import BaseModel

from parity.results import RunResult

MASK = "***"
# Shorter values would match inside ordinary words and shred the report without protecting much.
MIN_SECRET_LENGTH = 4

_Model = TypeVar("_Model", bound=BaseModel)


def secret_forms(value: str) -> set[str]:
    """The spellings a secret takes in logs and reports: raw, URL-quoted (both ways), JSON-escaped."""
    forms = {
        value,
        quote(value, safe=""),
        quote(value),  # urllib's default keeps "/" — how hand-built URLs often quote passwords
        quote_plus(value),
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
    }
    return {form for form in forms if form}


class Redactor:
    """Replaces known secret values with `***` in strings and in whole run results."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._forms: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        for value in secrets:
            self.add(value)

    def add(self, value: str) -> None:
        """Redact this value too, from now on (ignored when empty or shorter than 4 characters)."""
        if not isinstance(value, str) or len(value) < MIN_SECRET_LENGTH:
            return
        new = secret_forms(value) - self._forms
        if new:
            self._forms |= new
            self._pattern = None  # recompiled lazily: adding many secrets costs one compile

    def __len__(self) -> int:
        return len(self._forms)

    def text(self, s: str) -> str:
        """`s` with every occurrence of every secret form replaced by `***`."""
        if not self._forms or not s:
            return s
        return self._compiled().sub(MASK, s)

    def result(self, r: RunResult) -> RunResult:
        """A deep copy of `r` in which every string (dict keys included) is redacted."""
        return self._model(r)

    def _compiled(self) -> re.Pattern[str]:
        if self._pattern is None:
            # Longest first: a secret that contains another must be masked whole, not in pieces.
            ordered = sorted(self._forms, key=lambda f: (-len(f), f))
            self._pattern = re.compile("|".join(re.escape(f) for f in ordered))
        return self._pattern

    def _model(self, model: _Model) -> _Model:
        fields = type(model).model_fields
        update = {
            name: getattr(model, name)
            if _is_literal(info.annotation)
            else self._value(getattr(model, name))
            for name, info in fields.items()
        }
        return model.model_copy(update=update)

    def _value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, BaseModel):
            return self._model(value)
        if isinstance(value, dict):
            return {self._value(k): self._value(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return type(value)(self._value(v) for v in value)
        return value


def _is_literal(annotation: Any) -> bool:
    # Enumerated fields (verdict, status, outcome) are parity's own words, never user data;
    # masking one would produce a result that no longer validates.
    return typing.get_origin(annotation) is typing.Literal
