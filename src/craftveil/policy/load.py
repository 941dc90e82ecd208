"""YAML → :class:`Policy`, reporting every problem at once with its location.

Locations use the policy's own key path (``tables.sales.columns.sold_at.window``) so the steward
can find the line; values outside a fixed vocabulary are reported as
``"quarterly" is not one of day|week|month|quarter|year``.
"""

from __future__ import annotations

import difflib
import hashlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from craftveil.errors import PolicyError, Problem
from craftveil.policy.columns import ACTION_NAMES, Generalize, Rescale, Suppress
from craftveil.policy.model import Policy, PrefixHierarchy

_TAGS = set(ACTION_NAMES) | {"ArxHierarchy", "PrefixHierarchy"}


def read_policy_text(path: Path) -> str:
    """The policy file's text, or a PolicyError naming the file and the fix."""
    if not path.is_file():
        raise PolicyError([Problem(str(path), "policy file not found", "check the path")])
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(
            [Problem(str(path), f"not UTF-8 text ({exc.reason})", "save the policy as UTF-8")]
        ) from None


def policy_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """Parse and validate policy YAML text; raise one PolicyError listing every problem."""
    try:
        raw = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise PolicyError(
            [Problem(where, f"not valid YAML: {exc.problem}", "fix the YAML syntax there")]
        ) from None
    if not isinstance(raw, dict):
        raise PolicyError(
            [Problem(source, "the policy must be a mapping of keys (version, name, tables, ...)")]
        )
    try:
        policy = Policy.model_validate(raw)
    except ValidationError as exc:
        raise PolicyError(
            _problems_from_validation(exc, raw), header=f"{source}: the policy is invalid"
        ) from None
    problems = cross_check(policy)
    if problems:
        raise PolicyError(problems, header=f"{source}: the policy is invalid")
    return policy


def load_policy(path: Path) -> Policy:
    """Read and validate a policy file."""
    return parse_policy(read_policy_text(path), str(path))


def _location(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if not (isinstance(p, str) and p in _TAGS)]
    return ".".join(parts) or "<top>"


def _value_at(raw: Any, loc: tuple[int | str, ...]) -> Any:
    node = raw
    for part in loc:
        if (
            isinstance(part, str)
            and part in _TAGS
            and not (isinstance(node, dict) and part in node)
        ):
            continue
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class owning the location's parent, for did-you-mean suggestions."""
    from craftveil.policy import columns as c
    from craftveil.policy import model as m

    if not loc:
        return m.Policy
    head = loc[0]
    top: dict[str, type[BaseModel]] = {
        "secret": m.Secret,
        "governance": m.Governance,
        "privacy_unit": m.PrivacyUnit,
        "output": m.Output,
    }
    if head in top:
        return top[head]
    if head == "tables":
        if len(loc) <= 2:
            return m.TableSpec
        if loc[2] == "csv":
            return m.CsvOptions
        if loc[2] == "columns" and len(loc) >= 5 and isinstance(loc[4], str):
            by_tag: dict[str, type[BaseModel]] = {
                "keep": c.Keep,
                "drop": c.Drop,
                "pseudonymize": c.Pseudonymize,
                "generalize": c.Generalize,
                "mask_categories": c.MaskCategories,
                "bin_range": c.BinRange,
                "rescale": c.Rescale,
                "suppress": c.Suppress,
            }
            return by_tag.get(loc[4])
    return None


def _problems_from_validation(exc: ValidationError, raw: Any) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        where = _location(loc)
        kind = err["type"]
        value = _value_at(raw, loc)
        if kind == "extra_forbidden":
            key = str(loc[-1])
            owner = _model_at(loc[:-1])
            names = list(owner.model_fields) if owner else []
            close = difflib.get_close_matches(key, names, n=1)
            fix = f"did you mean '{close[0]}'?" if close else "remove it"
            if names and not close:
                fix += f" (allowed here: {', '.join(names)})"
            problems.append(Problem(where, f"unknown key '{key}'", fix))
        elif kind in ("literal_error", "enum"):
            expected = str(err.get("ctx", {}).get("expected", ""))
            options = "|".join(
                x.strip().strip("'") for x in expected.replace(" or ", ",").split(",")
            )
            problems.append(Problem(where, f'"{value}" is not one of {options}'))
        elif kind == "union_tag_invalid":
            problems.append(
                Problem(
                    where,
                    f'action "{_value_at(raw, (*loc, "action"))}" is not one of '
                    + "|".join(ACTION_NAMES),
                )
            )
        elif kind == "missing":
            problems.append(Problem(where, "is required", "add it"))
        else:
            msg = err["msg"].removeprefix("Value error, ")
            shown = f" (got {value!r})" if value is not None and not isinstance(value, dict) else ""
            problems.append(Problem(where, msg + shown))
    return problems


def cross_check(policy: Policy) -> list[Problem]:
    """Checks spanning several keys (names that must refer to declared things)."""
    problems: list[Problem] = []
    for section, declared in (("aggregates", policy.aggregates), ("dp", policy.dp)):
        if declared is not None and declared.table not in policy.tables:
            problems.append(
                Problem(
                    f"{section}.table",
                    f"table '{declared.table}' is not declared under tables "
                    f"(declared: {', '.join(policy.tables)})",
                )
            )
    for tname, table in policy.tables.items():
        base = f"tables.{tname}"
        if table.rows_are_vendors and table.vendor_column is not None:
            problems.append(
                Problem(
                    f"{base}.rows_are_vendors",
                    "rows_are_vendors: true means there is no vendor column",
                    f"set vendor_column: null, or remove rows_are_vendors (vendor: "
                    f"'{table.vendor_column}')",
                )
            )
        if table.vendor_column is not None and table.vendor_column not in table.columns:
            problems.append(
                Problem(
                    f"{base}.vendor_column",
                    f"'{table.vendor_column}' is not listed under columns",
                    "list it under columns with its action (usually pseudonymize)",
                )
            )
        if table.release and all(s.action == "drop" for s in table.columns.values()):
            problems.append(
                Problem(
                    f"{base}.columns",
                    "every column is dropped, so the released table would be empty",
                    f"set tables.{tname}.release: false, or keep at least one column",
                )
            )
        for cname, spec in table.columns.items():
            where = f"{base}.columns.{cname}"
            if isinstance(spec, Generalize) and spec.hierarchy is not None:
                h = policy.hierarchies.get(spec.hierarchy.name)
                if h is None:
                    known = ", ".join(policy.hierarchies) or "none declared"
                    problems.append(
                        Problem(
                            f"{where}.hierarchy.name",
                            f"hierarchy '{spec.hierarchy.name}' is not declared "
                            f"(declared: {known})",
                            "declare it under hierarchies:",
                        )
                    )
                elif isinstance(h, PrefixHierarchy) and spec.hierarchy.level > len(h.prefix):
                    problems.append(
                        Problem(
                            f"{where}.hierarchy.level",
                            f"level {spec.hierarchy.level} exceeds the hierarchy's "
                            f"{len(h.prefix)} levels",
                        )
                    )
            if isinstance(spec, Generalize) and spec.regions is not None:
                for coord in (spec.regions.latitude, spec.regions.longitude):
                    if coord not in table.columns:
                        problems.append(
                            Problem(f"{where}.regions", f"'{coord}' is not a column of '{tname}'")
                        )
            if isinstance(spec, Rescale) and spec.category_column:
                if spec.category_column not in table.columns:
                    problems.append(
                        Problem(
                            f"{where}.category_column",
                            f"'{spec.category_column}' is not a column of table '{tname}'",
                        )
                    )
                if spec.by == "vendor_median" and table.vendor_column is None:
                    problems.append(
                        Problem(f"{where}.by", "vendor_median needs the table's vendor_column")
                    )
            if isinstance(spec, Suppress) and spec.when and spec.when.column not in table.columns:
                problems.append(
                    Problem(f"{where}.when.column", f"'{spec.when.column}' is not a column")
                )
        for i, rf in enumerate(table.drop_rows):
            if rf.where.column not in table.columns:
                problems.append(
                    Problem(
                        f"{base}.drop_rows.{i}.where.column", f"'{rf.where.column}' is not a column"
                    )
                )
    return problems
