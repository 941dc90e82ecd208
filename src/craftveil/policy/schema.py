"""The policy's JSON Schema, generated from the models (for editors and docs)."""

from __future__ import annotations

import json
from typing import Any

from craftveil.policy.model import Policy


def policy_json_schema() -> dict[str, Any]:
    schema = Policy.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "craftveil policy"
    return schema


def policy_json_schema_text() -> str:
    return json.dumps(policy_json_schema(), indent=2, sort_keys=True) + "\n"
