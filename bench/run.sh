#!/usr/bin/env bash
# Runs the errgroup benchmarks (crates/errgroup/benches, with criterion) and the same workloads
# in Go (bench/go, with golang.org/x/sync/errgroup) on this machine, then prints one table of
# both and the issues' targets as ratios of this run's figures. Takes about 6 minutes on 2
# cores, plus the build.
#
# Usage: bench/run.sh [criterion arguments, e.g. a benchmark filter such as `limit_`]
#
# Without arguments, the previous run's criterion results are deleted first, so that every
# figure of the table comes from this run. With arguments, only the matching Rust benchmarks
# run, and the table mixes their figures with those of earlier runs.
#
# Installs Go and Debian's golang.org/x/sync if they are missing (apt-get), and builds the Go
# program offline against them. Results go to $CARGO_TARGET_DIR/bench-results (by default
# target/bench-results): the logs, the raw Go and memory samples, and table.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

x_sync=/usr/share/gocode/src/golang.org/x/sync/errgroup
if ! command -v go >/dev/null || [ ! -d "$x_sync" ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq golang-go golang-golang-x-sync-dev >/dev/null
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
out="$CARGO_TARGET_DIR/bench-results"
mkdir -p "$out"

if [ "$#" -eq 0 ]; then
    rm -rf "$CARGO_TARGET_DIR/criterion"
fi

echo "== Rust: cargo bench -p errgroup" >&2
cargo bench -p errgroup -- "$@" 2>&1 | tee "$out/cargo-bench.log" >&2
grep '^result' "$out/cargo-bench.log" >"$out/rust-memory.tsv" || true

echo "== Go: bench/go" >&2
(cd bench/go && GOPROXY=off go build -o "$out/errgroup-bench" .)
"$out/errgroup-bench" | tee "$out/go.tsv" >&2

# The version of a package in Cargo.lock.
locked() {
    awk -v name="name = \"$1\"" '$0 == name { getline; gsub(/[^0-9.]/, ""); print }' Cargo.lock
}

{
    echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/ { print $2 }') GiB"
    echo "Rust: $(rustc --version), tokio $(locked tokio), tokio-util $(locked tokio-util), futures-util $(locked futures-util), criterion $(locked criterion); Go: $(go version | cut -d' ' -f3), x/sync $(dpkg-query -W -f '${Version}' golang-golang-x-sync-dev 2>/dev/null || echo '?')"
    echo "Commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)'); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    python3 bench/table.py "$CARGO_TARGET_DIR/criterion" "$out/rust-memory.tsv" "$out/go.tsv"
} | tee "$out/table.md"
