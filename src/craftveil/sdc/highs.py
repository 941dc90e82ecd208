"""Every HiGHS model of the suppression code is made here, with one fixed thread count.

HiGHS's MIP search depends on how many threads its scheduler runs (measured: the hierarchical
benchmark's pattern changed from 1,741 to 1,787 secondaries between the default and one
thread), and the default is derived from the machine's cores — so without a fixed count the
same tables could get a different pattern on another machine, and two patterns of one table
can be combined by an attacker. HiGHS also keeps one scheduler per OS thread, initialised by
the first model run on it, and refuses a later model asking for a different count; fixing
the count for every model avoids that too. Parallelism comes from solving independent
subtables on several threads instead (secondary.py), which leaves the pattern unchanged.
"""

from __future__ import annotations

import highspy

THREADS = 1


def new_model() -> highspy.Highs:
    """A silent HiGHS instance using ``THREADS`` threads."""
    model = highspy.Highs()  # type: ignore[no-untyped-call]
    model.setOptionValue("output_flag", False)
    model.setOptionValue("threads", THREADS)
    return model
