"""``lineage.json``: where every released field comes from, as OpenLineage events.

OpenLineage (openlineage.io, spec 2-0-2) is the open standard Marquez, DataHub and others read.
The file is a JSON array: one ``RunEvent`` (eventType COMPLETE) for the release run, with its
input files and output datasets, then one ``DatasetEvent`` per output dataset. Each output
carries the ``schema`` facet and the ``columnLineage`` facet: for every released field, its
source table and column and the transformation chain (type DIRECT/INDIRECT, subtype IDENTITY /
TRANSFORMATION / FILTER, ``masking`` true when the transformation hides information).

Reproducibility: ``eventTime`` is the manifest's ``created_at`` and the run id is a UUID5 of
the release name, the policy hash and that time — so lineage differs between two runs of the
same release exactly where the manifest does. Operator parameters are not written here.
"""

from __future__ import annotations

import uuid
from typing import Any

SPEC = "https://openlineage.io/spec/2-0-2/OpenLineage.json"
FACETS = "https://openlineage.io/spec/facets/1-0-1"
PRODUCER = "https://github.com/craftveil/craftveil"
NAMESPACE = "craftveil"

COLUMN_LINEAGE_SCHEMA = f"{FACETS}/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet"

_MASKING = {"keep": False}


def _transformations(action: str, why: str, row_filters: list[str]) -> list[dict[str, Any]]:
    chain: list[dict[str, Any]] = [
        {
            "type": "DIRECT",
            "subtype": "IDENTITY" if action == "keep" else "TRANSFORMATION",
            "description": f"{action}: {why}",
            "masking": _MASKING.get(action, True),
        }
    ]
    chain += [
        {"type": "INDIRECT", "subtype": "FILTER", "description": text, "masking": True}
        for text in row_filters
    ]
    return chain


def field_lineage(masking: dict[str, Any], journal: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per released field: table, column, source, transformation chain."""
    rows: list[dict[str, Any]] = []
    for table, rec in masking["tables"].items():
        if not rec.get("released"):
            continue
        filters = [f"rows dropped: {d['reason']}" for d in rec.get("rows_dropped", [])]
        filters += [
            str(e["sentence"])
            for e in journal
            if e["step"] == "risk" and e.get("table") == table and e.get("column") is None
        ]
        for column, c in rec["columns"].items():
            if c["action"] == "drop":
                continue
            rows.append(
                {
                    "table": table,
                    "column": column,
                    "source_table": table,
                    "source_columns": [column],
                    "transformations": _transformations(c["action"], c["why"], filters),
                }
            )
    return rows


def derived_lineage(
    outputs: dict[str, list[str]],
    derived: dict[str, tuple[str, str | None, str]],
    source_columns: dict[str, list[str]],
    keys: dict[str, dict[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """Fields of statistics tables (e.g. the DP step's ``dp_<name>``), derived from a source.

    ``outputs``: output table → its columns; ``derived``: output table → (source table,
    measured column or None, how); ``source_columns``: source table → its columns. A column
    named like a source column is its cell key (INDIRECT / GROUP_BY); every other column is the
    statistic (DIRECT / AGGREGATION of the measured column). ``keys`` names cell-key columns
    whose source column has another name (an aggregate table's dimension → its column).
    """
    keys = keys or {}
    rows: list[dict[str, Any]] = []
    for table, columns in sorted(outputs.items()):
        if table not in derived:
            continue
        source, measured, how = derived[table]
        renamed = keys.get(table, {})
        for column in columns:
            key = column in source_columns.get(source, []) or column in renamed
            origin = renamed.get(column, column)
            rows.append(
                {
                    "table": table,
                    "column": column,
                    "source_table": source,
                    "source_columns": [origin] if key or measured is None else [measured],
                    "transformations": [
                        {
                            "type": "INDIRECT" if key else "DIRECT",
                            "subtype": "GROUP_BY" if key else "AGGREGATION",
                            "description": f"{how} computed from '{source}'",
                            "masking": True,
                        }
                    ],
                }
            )
    return rows


def _schema(fields: list[str]) -> dict[str, Any]:
    return {
        "_producer": PRODUCER,
        "_schemaURL": f"{FACETS}/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
        "fields": [{"name": f} for f in fields],
    }


def build_lineage(
    manifest: dict[str, Any], masking: dict[str, Any], fields: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    created = str(manifest["created_at"])
    name = str(manifest["release_name"])
    run_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}|{manifest['policy']['sha256']}|{created}"))
    files = {i["table"]: i["file"] for i in manifest["inputs"]}
    inputs = [
        {
            "namespace": "file",
            "name": files[t],
            "facets": {"schema": _schema(list(rec["columns"]))},
        }
        for t, rec in masking["tables"].items()
    ]
    outputs = []
    for out in manifest["outputs"]:
        mine = [f for f in fields if f["table"] == out["table"]]
        column_lineage = {
            "_producer": PRODUCER,
            "_schemaURL": COLUMN_LINEAGE_SCHEMA,
            "fields": {
                f["column"]: {
                    "inputFields": [
                        {
                            "namespace": "file",
                            "name": files[f["source_table"]],
                            "field": src,
                            "transformations": f["transformations"],
                        }
                        for src in f["source_columns"]
                    ]
                }
                for f in mine
            },
        }
        outputs.append(
            {
                "namespace": f"{NAMESPACE}://{name}",
                "name": out["path"],
                "facets": {
                    "schema": _schema([f["column"] for f in mine]),
                    "columnLineage": column_lineage,
                },
            }
        )
    run_event = {
        "eventType": "COMPLETE",
        "eventTime": created,
        "producer": PRODUCER,
        "schemaURL": f"{SPEC}#/$defs/RunEvent",
        "run": {"runId": run_id},
        "job": {"namespace": NAMESPACE, "name": name},
        "inputs": inputs,
        "outputs": outputs,
    }
    dataset_events = [
        {
            "eventTime": created,
            "producer": PRODUCER,
            "schemaURL": f"{SPEC}#/$defs/DatasetEvent",
            "dataset": o,
        }
        for o in outputs
    ]
    return [run_event, *dataset_events]
