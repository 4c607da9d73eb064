"""The JSON report (SPEC's schema) and a JSON Schema users and tests can validate it against."""

from __future__ import annotations

import json
from typing import Any

from parity.results import RunResult

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def render_json(result: RunResult) -> str:
    """The SPEC's JSON report, indented for people and stable for machines."""
    return json.dumps(result.to_json_dict(), indent=2, ensure_ascii=False) + "\n"


def report_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the JSON report, derived from the result model."""
    schema = RunResult.model_json_schema(by_alias=True, mode="serialization")
    # The report always carries every field (defaults included), so a report missing one is
    # broken; pydantic would otherwise mark defaulted fields optional.
    _require_all_properties(schema)
    for definition in schema.get("$defs", {}).values():
        _require_all_properties(definition)
    return {"$schema": SCHEMA_DIALECT, **schema, "title": "parity run report"}


def _require_all_properties(schema: dict[str, Any]) -> None:
    properties = schema.get("properties")
    if isinstance(properties, dict):
        schema["required"] = list(properties)
