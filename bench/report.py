"""From the rounds measured to medians, ratios against targets, and Markdown tables."""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
from pathlib import Path
from typing import Any

import granian
from loadgen import LoadResult
from workload import Comparison


def median_of(runs: list[LoadResult], cpu_us: list[float], cores: list[float]) -> dict[str, float]:
    """Medians over rounds of requests/s, latency percentiles (ms), server CPU µs/request and
    the CPU cores the server kept busy."""
    return {
        "requests_per_s": statistics.median(run.requests_per_s for run in runs),
        "cpu_us_per_request": statistics.median(cpu_us),
        "cpu_cores": statistics.median(cores),
        "p50_ms": statistics.median(run.p50_us for run in runs) / 1000,
        "p99_ms": statistics.median(run.p99_us for run in runs) / 1000,
    }


def compare(
    comparison: Comparison, results: dict[str, Any], rss: dict[str, float]
) -> dict[str, Any]:
    """A comparison's ratio and whether it meets its target; rates use per-round ratios."""
    entry: dict[str, Any] = {
        "comparison": comparison.label,
        "ours": comparison.ours,
        "other": comparison.other,
        "metric": comparison.metric,
        "target": comparison.target,
        "ratio": None,
        "cpu_ratio": None,
        "met": None,
    }
    if comparison.metric == "peak_rss_mb":
        if comparison.ours in rss and comparison.other in rss:
            entry["ratio"] = rss[comparison.ours] / rss[comparison.other]
    else:
        ours, other = results.get(comparison.ours), results.get(comparison.other)
        if not (ours and other):
            return entry
        # Both ran in every round, one right after the other: the ratio of each round's pair
        # cancels drift of the machine's speed over the run.
        entry["ratio"] = statistics.median(
            mine[comparison.metric] / theirs[comparison.metric]
            for mine, theirs in zip(ours["rounds"], other["rounds"], strict=True)
        )
        # The other's CPU time per request over ours: like the rate ratio, above 1 is faster.
        entry["cpu_ratio"] = (
            other["median"]["cpu_us_per_request"] / ours["median"]["cpu_us_per_request"]
        )
    if entry["ratio"] is not None and comparison.target is not None:
        if comparison.at_most:
            entry["met"] = entry["ratio"] <= comparison.target
        else:
            entry["met"] = entry["ratio"] >= comparison.target
    return entry


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        cpu = found.group(1) if found else cpu
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "granian": granian.__version__,
        "kernel": platform.release(),
        "load_average": os.getloadavg(),
    }


def print_report(report: dict[str, Any]) -> None:
    """The tables, in Markdown."""
    setup = report["setup"]
    load = ", ".join(f"{value:.1f}" for value in setup["machine"]["load_average"])
    print(
        f"\n{setup['rounds']} interleaved rounds of {setup['duration_s']:g} s after a "
        f"{setup['warmup_s']:g} s warm-up; {setup['workers']} worker, {setup['connections']} "
        f"connections, load by {setup['load_generator']}; medians.\n"
        f"Machine: {setup['machine']['cpu']} ({setup['machine']['cpus']} CPUs), "
        f"Python {setup['machine']['python']}, Granian {setup['machine']['granian']} with "
        f"{json.dumps(setup['granian_settings'])}; load average at the end {load}.\n"
    )
    print(
        "| server | app | request | req/s | p50 ms | p99 ms | server CPU µs/req "
        "| server CPU cores busy | peak RSS/worker MiB |"
    )
    print("|---|---|---|--:|--:|--:|--:|--:|--:|")
    for result in report["results"].values():
        server = report["servers"][result["server"]]
        median = result["median"]
        print(
            f"| {server['server']} | {server['app']} | {result['request']} "
            f"| {median['requests_per_s']:,.0f} | {median['p50_ms']:.2f} | {median['p99_ms']:.2f} "
            f"| {median['cpu_us_per_request']:.0f} | {median['cpu_cores']:.2f} "
            f"| {server['peak_rss_mb']:.1f} |"
        )
    for key, reason in report["skipped"].items():
        print(f"| {key} | | | not run: {reason} | | | | | |")
    print("\n| comparison | ratio | target | met | CPU/request ratio |")
    print("|---|--:|--:|---|--:|")
    for entry in report["comparisons"]:
        target = entry["target"]
        sign = "≥" if entry["metric"] == "requests_per_s" else "≤"
        shown_target = "—" if target is None else f"{sign} {target:.2f}x"
        if entry["ratio"] is None:
            print(f"| {entry['comparison']} | not run | {shown_target} | — | |")
            continue
        met = "—" if entry["met"] is None else ("yes" if entry["met"] else "**no**")
        cpu = "" if entry["cpu_ratio"] is None else f"{entry['cpu_ratio']:.2f}x"
        print(f"| {entry['comparison']} | {entry['ratio']:.2f}x | {shown_target} | {met} | {cpu} |")
