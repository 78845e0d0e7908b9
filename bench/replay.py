"""POST /replay's engine against POST /lint's, in process, on the same 100 Set-Cookie headers.

    .venv/bin/python bench/replay.py              # 15 interleaved rounds
    .venv/bin/python bench/replay.py --rounds 1   # a smoke run

The flow: 20 steps of one login-and-browse session on two sites, each response with 5
Set-Cookie values (a rotated session, CSRF token, preferences, a partitioned widget cookie...).
Replayed, each step also computes its context, the Cookie header and the jar. POST /lint's
engine gets the same 100 headers as 20 calls of 5, each with the step's URL and ``then_url``
the next step's, so it also builds a Cookie header per call. The rounds interleave both, and
the ratio is the median of the per-round ratios. The target: at most 1.5x.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cookierules.flow import Response, Step, replay
from cookierules.lint import lint_set_cookies

TARGET = 1.5
STEPS = 20
START = datetime(2026, 12, 4, 10, tzinfo=UTC)


def flow_steps() -> list[Step]:
    """A session on app.example with an embedded widget.example iframe every few steps."""
    steps = []
    for number in range(STEPS):
        at = START + timedelta(seconds=number * 5)
        if number % 4 == 3:
            steps.append(
                Step(
                    url=f"https://widget.example/embed/{number}",
                    kind="iframe",
                    top_level_url="https://app.example/",
                    initiator="https://app.example",
                    at=at,
                    response=Response(
                        200,
                        tuple(
                            f"w{slot}={number}; Path=/; Secure; SameSite=None; Partitioned"
                            for slot in range(5)
                        ),
                    ),
                )
            )
            continue
        steps.append(
            Step(
                url=f"https://app.example/section{number % 3}/page{number}",
                method="POST" if number % 5 == 0 else "GET",
                initiator="https://app.example" if number else None,
                at=at,
                response=Response(
                    200,
                    (
                        f"sid=s{number}; Path=/; Secure; HttpOnly; SameSite=Lax",
                        f"csrf=t{number}; Path=/; Secure; SameSite=Strict",
                        f"prefs=p{number % 2}; Path=/section{number % 3}; Max-Age=3600",
                        f"seen{number % 4}=1; Path=/; Expires=Wed, 21 Oct 2027 07:28:00 GMT",
                        f"ab=v{number}; Domain=app.example; Path=/; Secure",
                    ),
                ),
            )
        )
    return steps


def run_replay(steps: list[Step]) -> None:
    replay(steps, now=START)


def run_lint(steps: list[Step]) -> None:
    for step, following in zip(steps, [*steps[1:], steps[0]], strict=True):
        lint_set_cookies(
            step.url,
            list(step.response.set_cookie),
            now=step.at or START,
            then_url=following.url,
            site_for_cookies=step.top_level_url,
        )


def per_call(function, steps: list[Step], seconds: float) -> float:
    """CPU seconds per call, over about ``seconds`` of CPU time: a machine shared with other
    work takes the CPU away at times, which wall time would count."""
    calls, started = 0, time.process_time()
    while True:
        function(steps)
        calls += 1
        elapsed = time.process_time() - started
        if elapsed >= seconds:
            return elapsed / calls


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=0.5, help="per side per round")
    options = parser.parse_args(argv)
    steps = flow_steps()
    assert sum(len(step.response.set_cookie) for step in steps) == 100
    ratios, flows, lints = [], [], []
    for number in range(options.rounds):
        # Each round in turn starts with the other side, so a drift in the machine's speed
        # does not always fall on the same one.
        if number % 2:
            flow = per_call(run_replay, steps, options.seconds)
            lint = per_call(run_lint, steps, options.seconds)
        else:
            lint = per_call(run_lint, steps, options.seconds)
            flow = per_call(run_replay, steps, options.seconds)
        lints.append(lint)
        flows.append(flow)
        ratios.append(flow / lint)
    figures = {
        "low": min(ratios),
        "high": max(ratios),
        "replay_ms": statistics.median(flows) * 1000,
        "lint_ms": statistics.median(lints) * 1000,
        "ratio": statistics.median(ratios),
    }
    print(f"20-step flow, 100 Set-Cookie   POST /replay engine {figures['replay_ms']:.3f} ms")
    print(f"same 100 headers, 20 calls     POST /lint engine   {figures['lint_ms']:.3f} ms")
    verdict = "within" if figures["ratio"] <= TARGET else "OVER"
    print(
        f"ratio {figures['ratio']:.2f}x ({verdict} the {TARGET}x target); per round "
        f"{figures['low']:.2f}x to {figures['high']:.2f}x"
    )
    return figures


if __name__ == "__main__":
    main()
