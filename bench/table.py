#!/usr/bin/env python3
"""Prints the benchmark table and the issue's targets from one run of both sides.

Usage: table.py CRITERION_DIR RESULTS.tsv...

CRITERION_DIR is criterion's output folder (`$CARGO_TARGET_DIR/criterion`): each benchmark's
`new/sample.json` holds its samples (iterations and total nanoseconds). The TSV files hold the
lines `result GROUP IMPL PARAM SAMPLE...` that the memory bench and the Go program print.
Every figure is the median of the samples, with their interquartile range as the spread.
"""

import json
import statistics
import sys
from pathlib import Path

IMPLS = [
    ("errgroup", "errgroup `Group`"),
    ("scope", "errgroup `Scope`"),
    ("tokio_spawn", "`tokio::spawn` + `JoinHandle`s"),
    ("bare_spawn", "bare `tokio::spawn` + counter"),
    ("joinset", "`JoinSet`"),
    ("futures_unordered", "`FuturesUnordered`"),
    ("task_tracker", "`TaskTracker`"),
    ("go_errgroup", "Go `x/sync/errgroup`"),
]

# (group, parameter, row label, divisor of a sample's nanoseconds, unit)
PER_TASK = "ns/task"
ROWS = [
    ("spawn_wait", 1_000, "Spawn + wait, N = 1,000", 1_000, PER_TASK),
    ("spawn_wait", 10_000, "Spawn + wait, N = 10,000", 10_000, PER_TASK),
    ("spawn_wait", 100_000, "Spawn + wait, N = 100,000", 100_000, PER_TASK),
    ("fail_fast_total", 10_000, "Fail fast, N = 10,000: start → wait returns", 1e6, "ms"),
    ("fail_fast_total", 100_000, "Fail fast, N = 100,000: start → wait returns", 1e6, "ms"),
    ("fail_fast_after_failure", 10_000, "Fail fast, N = 10,000: failure → wait returns", 1e6, "ms"),
    ("fail_fast_after_failure", 100_000, "Fail fast, N = 100,000: failure → wait returns", 1e6, "ms"),
    ("limit_backpressure", 2, "Limit 2, backpressure, 100,000 tasks", 100_000, PER_TASK),
    ("limit_backpressure", 64, "Limit 64, backpressure, 100,000 tasks", 100_000, PER_TASK),
    ("limit_spawn", 2, "Limit 2, plain spawn (queued), 100,000 tasks", 100_000, PER_TASK),
    ("limit_spawn", 64, "Limit 64, plain spawn (queued), 100,000 tasks", 100_000, PER_TASK),
    ("limit_sleep", 64, "Limit 64, 10,000 tasks that sleep 1 ms (wall time)", 1e6, "ms"),
    ("tree", 100_000, "Tree fan-out, 4-ary, 100,000 tasks", 100_000, PER_TASK),
    ("results", 100_000, "Results, 100,000 `u64`s collected", 100_000, PER_TASK),
    ("memory", 100_000, "Memory, 100,000 parked tasks (peak RSS)", 1, "B/task"),
]


def load(criterion_dir, tsv_paths):
    """Returns {(group, impl, param): (median, 1st quartile, 3rd quartile)} in raw units
    (nanoseconds per iteration, or bytes per task)."""
    figures = {}
    for sample in Path(criterion_dir).glob("*/*/*/new/sample.json"):
        group, impl, param = sample.parts[-5:-2]
        data = json.loads(sample.read_text())
        per_iter = [t / i for t, i in zip(data["times"], data["iters"])]
        figures[(group, impl, int(param))] = summary(per_iter)
    for path in tsv_paths:
        for line in Path(path).read_text().splitlines():
            fields = line.split("\t")
            if fields[0] != "result":
                continue
            group, impl, param, *samples = fields[1:]
            figures[(group, impl, int(param))] = summary([float(v) for v in samples])
    return figures


def summary(samples):
    low, median, high = statistics.quantiles(samples, n=4, method="inclusive")
    return median, low, high


def number(value):
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(figures):
    lines = [
        "| workload | unit | " + " | ".join(label for _, label in IMPLS) + " |",
        "|---|---|" + "---:|" * len(IMPLS),
    ]
    for group, param, label, divisor, unit in ROWS:
        cells = []
        for impl, _ in IMPLS:
            figure = figures.get((group, impl, param))
            if figure is None:
                cells.append("–")
                continue
            median, low, high = (value / divisor for value in figure)
            cells.append(f"**{number(median)}** ({number(low)}–{number(high)})")
        lines.append(f"| {label} | {unit} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def targets(figures):
    """The issue's targets, each a ratio of two medians of this run against its bound."""

    def median(group, impl, param):
        figure = figures.get((group, impl, param))
        return None if figure is None else figure[0]

    checks = []

    def ratio(label, numerator, denominator, limit, plus=0):
        """Checks numerator ≤ limit × (denominator + plus)."""
        if numerator is None or denominator is None:
            checks.append(f"| {label} | – | ≤ {limit:.2f} | not measured |")
            return
        value = numerator / (denominator + plus)
        verdict = "holds" if value <= limit else "**missed**"
        checks.append(f"| {label} | {value:.2f} | ≤ {limit:.2f} | {verdict} |")

    for n in [1_000, 10_000, 100_000]:
        ratio(f"Spawn + wait, N = {n:,}: `Group` / bare `tokio::spawn` + counter",
              median("spawn_wait", "errgroup", n), median("spawn_wait", "bare_spawn", n), 1.05)
    for limit in [2, 64]:
        go = median("limit_backpressure", "go_errgroup", limit)
        buffered = median("limit_backpressure", "futures_unordered", limit)
        for group, how in [("limit_backpressure", "backpressure"), ("limit_spawn", "plain spawn")]:
            ours = median(group, "errgroup", limit)
            ratio(f"Limit {limit}, `Group` {how} / Go `SetLimit` + `Go`", ours, go, 1.00)
            ratio(f"Limit {limit}, `Group` {how} / `buffer_unordered`", ours, buffered, 2.00)
    ratio("Limit 64, sleep 1 ms: `Group` / `JoinSet` + `Semaphore`",
          median("limit_sleep", "errgroup", 64), median("limit_sleep", "joinset", 64), 1.05)
    ratio("Tree fan-out: `Group` through `GroupHandle` / `TaskTracker`",
          median("tree", "errgroup", 100_000), median("tree", "task_tracker", 100_000), 1.10)
    ours = median("spawn_wait", "scope", 100_000)
    ratio("Spawn + wait, N = 100,000: `Scope` / Go errgroup",
          ours, median("spawn_wait", "go_errgroup", 100_000), 0.35)
    ratio("Spawn + wait, N = 100,000: `Scope` / `FuturesUnordered`",
          ours, median("spawn_wait", "futures_unordered", 100_000), 1.20)
    for limit in [2, 64]:
        ours = median("limit_spawn", "scope", limit)
        ratio(f"Limit {limit}: `Scope` / Go `SetLimit` + `Go`",
              ours, median("limit_backpressure", "go_errgroup", limit), 0.35)
        ratio(f"Limit {limit}: `Scope` / `buffer_unordered`",
              ours, median("limit_backpressure", "futures_unordered", limit), 1.20)
    ratio("Fail fast, N = 100,000, failure → return: `Scope` / Go errgroup",
          median("fail_fast_after_failure", "scope", 100_000),
          median("fail_fast_after_failure", "go_errgroup", 100_000), 0.50)
    ratio("Memory per parked task: `Scope` / (`FuturesUnordered` + 32 B)",
          median("memory", "scope", 100_000), median("memory", "futures_unordered", 100_000),
          1.00, plus=32)
    return "| target | ratio of medians | bound | verdict |\n|---|---:|---:|---|\n" + "\n".join(checks)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    figures = load(sys.argv[1], sys.argv[2:])
    print(table(figures))
    print()
    print(targets(figures))


if __name__ == "__main__":
    main()
