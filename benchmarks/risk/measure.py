"""Small launcher: run a command, wait with os.wait4, print wall time, peak RSS and CPU as JSON.

Usage: python measure.py LOG -- CMD [ARGS...]
Why a separate launcher: on Linux a child's ru_maxrss includes the RSS of the process it was
forked from (the high-water mark survives fork and exec), so measuring from the benchmark driver
(~370 MB of Ibis/DuckDB/pandas) would report at least the driver's size. This stdlib-only
launcher is ~10 MB, so the peak RSS it reports is the measured process's own.
"""

import json
import os
import subprocess
import sys
import time


def main() -> None:
    log, cmd = sys.argv[1], sys.argv[sys.argv.index("--") + 1 :]
    with open(log, "w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    print(json.dumps({"wall_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024,
                      "user_s": usage.ru_utime, "sys_s": usage.ru_stime,
                      "exit": os.waitstatus_to_exitcode(status)}))  # fmt: skip


if __name__ == "__main__":
    main()
