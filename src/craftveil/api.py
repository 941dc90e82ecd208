"""The Python API: the same operations as the command line (init, check, release).

```python
import craftveil
craftveil.init_policy(["data/vendors.csv", "data/sales.csv"], "policy.yaml")
report = craftveil.check("policy.yaml")          # raises PolicyError listing every problem
result = craftveil.release("policy.yaml", "out/release-1")
print(result.manifest_path)
```
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from craftveil.engine import make_engine
from craftveil.pipeline.plan import Plan, make_plan
from craftveil.pipeline.run import ReleaseResult, release
from craftveil.policy.load import load_policy
from craftveil.policy.model import Policy


@dataclass(frozen=True)
class CheckReport:
    """What ``check`` validated."""

    policy: Policy
    plan: Plan | None

    @property
    def summary(self) -> str:
        tables = len(self.policy.tables)
        columns = sum(len(t.columns) for t in self.policy.tables.values())
        against = "against the data" if self.plan is not None else "without the data"
        return f"policy '{self.policy.name}' is valid {against}: {tables} tables, {columns} columns"


def check(policy_path: Path | str, *, with_data: bool = True) -> CheckReport:
    """Validate a policy (and, with the data, its columns and types); writes nothing."""
    path = Path(policy_path).resolve()
    policy = load_policy(path)
    if not with_data:
        return CheckReport(policy, None)
    engine = make_engine()
    try:
        plan = make_plan(policy, path, engine)
    finally:
        engine.close()
    return CheckReport(policy, plan)


def init_policy(
    data_files: Sequence[Path | str], out: Path | str, *, overwrite: bool = False
) -> Path:
    """Profile the data files and write a starting policy to ``out``."""
    from craftveil.profile import init_policy as _init

    return _init([Path(p) for p in data_files], Path(out), overwrite=overwrite)


__all__ = ["CheckReport", "ReleaseResult", "check", "init_policy", "release"]
