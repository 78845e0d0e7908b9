"""What a server process uses, read from Linux's /proc: its workers, CPU time and peak memory."""

from __future__ import annotations

import os
import re
from pathlib import Path


def worker_pids(pid: int) -> list[int]:
    """The worker processes of a server: its children, or itself when it has none."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name in parentheses may hold spaces; the parent pid follows it.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return children or [pid]


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) that a server and its workers have used so far."""
    total = 0
    for process in {pid, *worker_pids(pid)}:
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime and stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """The peak resident set size (VmHWM) of a process, in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    kib = int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1))
    return kib / 1024
