"""Review cadence: is the policy's last review older than its cadence allows?

An overdue review does not stop a release (the steward may be on holiday); it is a warning in
the journal, the report and the CLI output. The verdict depends only on the review date, the
cadence and the release date, so two runs on the same day give the same files.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from craftveil.policy.model import Governance


def review_status(governance: Governance, today: dt.date) -> dict[str, Any]:
    due = governance.last_review + dt.timedelta(days=governance.review_cadence_days)
    overdue = today > due
    return {
        "owner": governance.owner,
        "contact": governance.contact,
        "last_review": governance.last_review.isoformat(),
        "review_cadence_days": governance.review_cadence_days,
        "review_due": due.isoformat(),
        "review_overdue": overdue,
        "days_overdue": (today - due).days if overdue else 0,
    }


def review_sentence(status: dict[str, Any]) -> str:
    if status["review_overdue"]:
        return (
            f"WARNING: the policy review is overdue — last reviewed {status['last_review']}, "
            f"due {status['review_due']} ({status['days_overdue']} days ago); "
            f"{status['owner']} should review the policy and update governance.last_review."
        )
    return (
        f"Policy reviewed {status['last_review']} by the owner's process; next review due "
        f"{status['review_due']}."
    )
