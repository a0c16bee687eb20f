"""Reading the services' OpenAPI document in tests."""

from __future__ import annotations

from typing import Any


def json_body_schema(spec: dict[str, Any], op: dict[str, Any]) -> dict[str, Any] | None:
    """The schema of an operation's JSON body, whether referenced, optional (`anyOf` a model
    and null) or inlined (the signed inbound webhook); None without a JSON body."""
    schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return None
    refs = [item["$ref"] for item in schema.get("anyOf", [schema]) if "$ref" in item]
    if refs:
        resolved: dict[str, Any] = spec["components"]["schemas"][refs[0].rsplit("/", 1)[1]]
        return resolved
    return dict(schema)
