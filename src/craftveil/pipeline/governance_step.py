"""Step: governance before any data is read — permitted analyses, then the review cadence.

Runs first, so a refused analysis costs nothing and leaves nothing behind. The review date is
compared with today's date (UTC).
"""

from __future__ import annotations

import datetime as dt

from craftveil.governance.permitted import check_permitted
from craftveil.governance.review import review_sentence, review_status
from craftveil.pipeline.context import RunContext


def check_governance(ctx: RunContext) -> None:
    policy = ctx.plan.policy
    analyses = check_permitted(policy)
    status = review_status(policy.governance, dt.datetime.now(dt.UTC).date())
    status["analyses"] = analyses
    status["permitted_analyses"] = list(policy.governance.permitted_analyses)
    ctx.sections["governance"] = status
    ctx.journal.add(
        "governance",
        f"Analyses released ({', '.join(analyses)}) are all permitted by the governance section.",
        analyses=analyses,
    )
    ctx.journal.add(
        "governance",
        review_sentence(status),
        review_due=status["review_due"],
        review_overdue=status["review_overdue"],
    )
