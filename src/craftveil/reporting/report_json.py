"""``report.json``: the report's sections as data (the same content as ``report.html``).

No timestamps (the manifest holds the only one), keys in a fixed order, floats as computed:
two runs of the same release give identical bytes.
"""

from __future__ import annotations

from typing import Any

from craftveil.reporting.sections import Section

FORMAT = "craftveil-report/1"


def build_report_json(release_name: str, dataset: str, sections: list[Section]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "release_name": release_name,
        "dataset": dataset,
        "sections": [
            {"id": s.id, "title": s.title, "sentences": s.sentences, "data": s.data}
            for s in sections
        ],
    }
