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
    ("tokio_spawn", "`tokio::spawn` + `JoinHandle`s"),
    ("joinset", "`JoinSet`"),
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
    ("limit_spawn", 2, "Limit 2, backpressure spawn, 100,000 tasks", 100_000, PER_TASK),
    ("limit_spawn", 64, "Limit 64, backpressure spawn, 100,000 tasks", 100_000, PER_TASK),
    ("limit_try_spawn", 2, "Limit 2, try-spawn, 100,000 tasks", 100_000, PER_TASK),
    ("limit_try_spawn", 64, "Limit 64, try-spawn, 100,000 tasks", 100_000, PER_TASK),
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
    def median(group, impl, param):
        figure = figures.get((group, impl, param))
        return None if figure is None else figure[0]

    checks = []

    def ratio(label, numerator, denominator, limit):
        if numerator is None or denominator is None:
            checks.append(f"| {label} | – | ≤ {limit:.2f} | not measured |")
            return
        value = numerator / denominator
        verdict = "holds" if value <= limit else "**missed**"
        checks.append(f"| {label} | {value:.2f} | ≤ {limit:.2f} | {verdict} |")

    group = "spawn_wait"
    ratio("Spawn + wait, N = 100,000: `Group` / `JoinSet`",
          median(group, "errgroup", 100_000), median(group, "joinset", 100_000), 1.10)
    ratio("Spawn + wait, N = 100,000: `Group` / Go errgroup",
          median(group, "errgroup", 100_000), median(group, "go_errgroup", 100_000), 1.00)
    for group in ["fail_fast_total", "fail_fast_after_failure"]:
        for n in [10_000, 100_000]:
            ratio(f"`{group}`, N = {n:,}: `Group` / `JoinSet` + token + `abort_all`",
                  median(group, "errgroup", n), median(group, "joinset", n), 1.00)
    ours = median("memory", "errgroup", 100_000)
    theirs = median("memory", "joinset", 100_000)
    ratio("Memory per parked task: `Group` / (`JoinSet` + 64 B)",
          ours, None if theirs is None else theirs + 64, 1.00)
    unlimited = median("spawn_wait", "errgroup", 100_000)
    for limit, bound in [(64, 1.5), (2, 3.0)]:
        ratio(f"Limit {limit}, backpressure spawn / unlimited spawn + wait (`Group`)",
              median("limit_spawn", "errgroup", limit), unlimited, bound)

    context = []
    for impl, label in IMPLS[1:]:
        unlimited = median("spawn_wait", impl, 100_000)
        for group in ["limit_spawn", "limit_try_spawn"]:
            limited = median(group, impl, 2)
            if limited and unlimited:
                context.append(f"{label} `{group}` at limit 2 / unlimited: {limited / unlimited:.2f}")
    return (
        "| target | ratio of medians | bound | verdict |\n|---|---:|---:|---|\n"
        + "\n".join(checks)
        + "\n\nFor comparison (not targets):\n\n"
        + "\n".join(f"- {line}" for line in context)
    )


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    figures = load(sys.argv[1], sys.argv[2:])
    print(table(figures))
    print()
    print(targets(figures))


if __name__ == "__main__":
    main()
