"""Plan: the policy resolved against the real files, columns and types — before any data moves.

Every problem is collected (missing files, columns the policy names that the data lacks, columns
the data has that the policy forgot, actions that do not fit a column's type) and raised once.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from craftveil.engine.base import CsvFormat, Engine, LogicalType, SourceFile
from craftveil.engine.diagnose import guess_delimiter, read_header
from craftveil.errors import CraftveilError, PolicyError, Problem
from craftveil.policy.columns import (
    BinRange,
    ColumnSpec,
    Generalize,
    MaskCategories,
    Pseudonymize,
    Rescale,
    Role,
)
from craftveil.policy.model import ArxHierarchy, Policy, PrefixHierarchy, TableSpec

_NUMERIC: set[LogicalType] = {"integer", "decimal"}
_TEMPORAL: set[LogicalType] = {"date", "timestamp"}


@dataclass(frozen=True)
class TablePlan:
    name: str
    spec: TableSpec
    source: SourceFile
    detected: dict[str, LogicalType]


@dataclass(frozen=True)
class Plan:
    policy: Policy
    policy_path: Path
    tables: tuple[TablePlan, ...]
    hierarchy_files: dict[str, Path] = field(default_factory=dict)
    prefix_hierarchies: dict[str, tuple[tuple[int, ...], int | None]] = field(default_factory=dict)

    @property
    def base_dir(self) -> Path:
        return self.policy_path.parent


def _format(spec: TableSpec, path: Path) -> str:
    if spec.format:
        return spec.format
    return "parquet" if path.suffix.lower() in {".parquet", ".pq"} else "csv"


def _is_code(col: ColumnSpec) -> bool:
    """Identifiers and codes: values compared as text, never as numbers."""
    if col.role is Role.identifier or isinstance(col, Pseudonymize | MaskCategories | BinRange):
        return True
    return isinstance(col, Generalize) and (col.prefix is not None or col.hierarchy is not None)


def _forced_types(spec: TableSpec) -> dict[str, LogicalType]:
    """Identifiers and codes are read as text (leading zeros survive), plus declared types."""
    forced: dict[str, LogicalType] = {}
    for name, col in spec.columns.items():
        if col.type is not None:
            forced[name] = col.type
        elif _is_code(col):
            forced[name] = "text"
    if spec.vendor_column and spec.vendor_column not in forced:
        forced[spec.vendor_column] = "text"
    return forced


def _type_problems(where: str, name: str, col: object, kind: LogicalType) -> list[Problem]:
    out: list[Problem] = []
    if isinstance(col, Generalize):
        if col.window is not None and kind not in _TEMPORAL:
            out.append(
                Problem(
                    f"{where}.window",
                    f"column '{name}' is {kind}, a date window needs a date or timestamp",
                    "declare `type: date` (or timestamp) if the text holds ISO dates, "
                    "or use another action",
                )
            )
        if (col.bands is not None or col.grid_degrees is not None) and kind not in _NUMERIC:
            out.append(
                Problem(
                    where,
                    f"column '{name}' is {kind}; bands and grids need numbers",
                    "declare `type: decimal`",
                )
            )
    if isinstance(col, Rescale) and kind not in _NUMERIC:
        out.append(Problem(where, f"column '{name}' is {kind}; rescale needs numbers"))
    return out


def _delimiter_hint(
    tname: str, source: SourceFile, detected: dict[str, LogicalType]
) -> Problem | None:
    """A whole header read as one column means the delimiter is wrong."""
    if source.fmt != "csv" or len(detected) != 1:
        return None
    guess = guess_delimiter(read_header(source.path, source.csv.encoding))
    if guess is None or guess == source.csv.delimiter:
        return None
    shown = "\\t" if guess == "\t" else guess
    return Problem(
        f"tables.{tname}.csv.delimiter",
        f"{source.path.name} is read as one column with delimiter '{source.csv.delimiter}'; "
        f"its header looks '{shown}'-separated",
        f"set tables.{tname}.csv.delimiter: '{shown}'",
    )


def make_plan(policy: Policy, policy_path: Path, engine: Engine) -> Plan:
    """Resolve the policy against the data; raise PolicyError listing every problem."""
    base = policy_path.parent
    problems: list[Problem] = []
    tables: list[TablePlan] = []
    hierarchy_files: dict[str, Path] = {}
    prefixes: dict[str, tuple[tuple[int, ...], int | None]] = {}
    for hname, h in policy.hierarchies.items():
        if isinstance(h, ArxHierarchy):
            path = (base / h.file).resolve()
            if not path.is_file():
                problems.append(Problem(f"hierarchies.{hname}.file", f"file {path} not found"))
            hierarchy_files[hname] = path
        elif isinstance(h, PrefixHierarchy):
            prefixes[hname] = (tuple(h.prefix), h.pad_to)
    for tname, spec in policy.tables.items():
        where = f"tables.{tname}"
        path = (base / spec.path).resolve()
        fmt = _format(spec, path)
        c = spec.csv
        source = SourceFile(
            tname,
            path,
            "parquet" if fmt == "parquet" else "csv",
            CsvFormat(c.delimiter, c.quote, c.header, c.encoding, tuple(c.null_values)),
            tuple(sorted(_forced_types(spec).items())),
        )
        if not path.is_file():
            problems.append(
                Problem(
                    f"{where}.path",
                    f"file {path} not found",
                    "paths are relative to the policy file",
                )
            )
            continue
        try:
            detected = engine.columns(source)
        except CraftveilError as exc:
            problems.append(Problem(f"{where}.path", str(exc)))
            continue
        delimiter_hint = _delimiter_hint(tname, source, detected)
        if delimiter_hint:
            problems.append(delimiter_hint)
            continue
        for cname, col in spec.columns.items():
            if cname not in detected:
                problems.append(_missing_column(f"{where}.columns.{cname}", cname, path, detected))
                continue
            kind = dict(source.types).get(cname, detected[cname])
            problems += _type_problems(f"{where}.columns.{cname}", cname, col, kind)
        unlisted = [n for n in detected if n not in spec.columns]
        if unlisted and spec.unlisted_columns == "refuse":
            problems.append(
                Problem(
                    f"{where}.columns",
                    f"{len(unlisted)} column(s) of {path.name} are not in the policy: "
                    + ", ".join(unlisted),
                    "list each with its action (an unlisted column may be an identifier), "
                    "or set unlisted_columns: drop",
                )
            )
        tables.append(TablePlan(tname, spec, source, detected))
    problems += _section_column_problems(policy, {t.name: t for t in tables})
    if problems:
        raise PolicyError(problems, header=f"{policy_path}: the policy does not fit the data")
    return Plan(policy, policy_path, tuple(tables), hierarchy_files, prefixes)


def _missing_column(
    location: str, name: str, path: Path, detected: dict[str, LogicalType]
) -> Problem:
    close = difflib.get_close_matches(name, list(detected), n=1)
    fix = f"did you mean '{close[0]}'?" if close else f"the file has: {', '.join(detected)}"
    return Problem(location, f"column '{name}' is not in {path.name}", fix)


def _section_column_problems(policy: Policy, tables: dict[str, TablePlan]) -> list[Problem]:
    """Columns the aggregates and DP sections read that their source table's file lacks."""
    wanted: list[tuple[str, str, str]] = []  # (location, table, column)
    agg = policy.aggregates
    if agg is not None:
        for dname, dim in agg.dimensions.items():
            where = f"aggregates.dimensions.{dname}"
            wanted.append((f"{where}.column", agg.table, dim.column))
            if dim.scale_bands is not None:
                for key in ("volume_column", "year_column"):
                    column = getattr(dim.scale_bands, key)
                    wanted.append((f"{where}.scale_bands.{key}", agg.table, column))
        for i, table in enumerate(agg.tables):
            where = f"aggregates.tables[{i}]"
            for key in ("measure_column", "quantile_column", "quarter_column"):
                if (column := getattr(table, key)) is not None:
                    wanted.append((f"{where}.{key}", agg.table, column))
    if policy.dp is not None:
        for i, stat in enumerate(policy.dp.statistics):
            where = f"dp.statistics[{i}]"
            if stat.column is not None:
                wanted.append((f"{where}.column", policy.dp.table, stat.column))
            wanted += [(f"{where}.cells", policy.dp.table, cell) for cell in stat.cells]
    problems = []
    for location, tname, column in wanted:
        plan = tables.get(tname)  # an undeclared or unreadable table is reported already
        if plan is not None and column not in plan.detected:
            problems.append(_missing_column(location, column, plan.source.path, plan.detected))
    return problems
