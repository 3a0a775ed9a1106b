//! Workload 5, memory: peak resident memory per task with 100,000 tasks parked on the
//! cancellation token, for each implementation.
//!
//! Each measurement runs in a fresh child process (this binary, re-run with `--child IMPL`):
//! it builds the runtime, reads its resident set (`VmRSS` in `/proc/self/status`), spawns the
//! tasks, waits until every one of them has been polled and parked, cancels the token and
//! waits for the tasks to end, then reads its peak resident set (`VmHWM`). The figure is
//! `(VmHWM - VmRSS before spawning) / tasks`. It counts everything a task costs: the task's
//! allocation, the handle or registry entry that keeps track of it, and the allocator's slack.
//! The Go program in `bench/go` measures goroutines the same way. (A counting global allocator
//! would be more precise, but could not measure goroutines.) `Scope` and `FuturesUnordered`
//! poll their futures in the waiter, so there the token is cancelled by a future joined with
//! the waiter rather than by the blocked `block_on` thread.
//!
//! Prints one human-readable line per implementation, and one `result` line with every
//! process's figure, in the format that `bench/table.py` reads.

mod common;

use std::env;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use common::{ERRGROUP, FUTURES_UNORDERED, Failed, JOINSET, SCOPE, TOKIO_SPAWN, joined};
use errgroup::{CancellationToken, Group, Scope};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::task::JoinSet;

const TASKS: u64 = 100_000;
/// Child processes per implementation; the median is reported.
const RUNS: usize = 5;

/// How many tasks have started and parked on the token.
static PARKED: AtomicU64 = AtomicU64::new(0);

async fn parked(token: CancellationToken) -> Result<(), Failed> {
    PARKED.fetch_add(1, Ordering::Relaxed);
    token.cancelled().await;
    Err(Failed::Cancelled)
}

/// Blocks the caller (the `block_on` thread, not a worker) until every task has parked.
fn until_parked() {
    while PARKED.load(Ordering::Relaxed) < TASKS {
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Cancels `token` once every task has parked, yielding meanwhile: for the implementations
/// that poll their futures inline, in the waiter, which a blocked thread would stop.
async fn cancel_when_parked(token: &CancellationToken) {
    while PARKED.load(Ordering::Relaxed) < TASKS {
        tokio::task::yield_now().await;
    }
    token.cancel();
}

async fn errgroup() {
    let group = Group::new();
    for _ in 0..TASKS {
        group.spawn(parked(group.token().clone()));
    }
    until_parked();
    group.token().cancel();
    assert!(group.wait().await.is_err(), "the group was cancelled");
}

async fn tokio_spawn() {
    let token = CancellationToken::new();
    let handles: Vec<_> = (0..TASKS)
        .map(|_| tokio::spawn(parked(token.clone())))
        .collect();
    until_parked();
    token.cancel();
    for handle in handles {
        assert!(joined(handle.await).is_err(), "the task was cancelled");
    }
}

async fn joinset() {
    let token = CancellationToken::new();
    let mut set = JoinSet::new();
    for _ in 0..TASKS {
        set.spawn(parked(token.clone()));
    }
    until_parked();
    token.cancel();
    while let Some(result) = set.join_next().await {
        assert!(joined(result).is_err(), "the task was cancelled");
    }
}

async fn futures_unordered() {
    let token = CancellationToken::new();
    let mut set: FuturesUnordered<_> = (0..TASKS).map(|_| parked(token.clone())).collect();
    let drain = async {
        while let Some(result) = set.next().await {
            assert!(result.is_err(), "the task was cancelled");
        }
    };
    tokio::join!(drain, cancel_when_parked(&token));
}

async fn scope() {
    let mut scope = Scope::new();
    for _ in 0..TASKS {
        let token = scope.token().clone();
        scope.spawn(parked(token));
    }
    let token = scope.token().clone();
    let (result, ()) = tokio::join!(scope.wait(), cancel_when_parked(&token));
    assert!(result.is_err(), "the scope was cancelled");
}

/// Reads a `kB` field of `/proc/self/status`, in bytes.
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .unwrap_or_else(|| panic!("{field} in /proc/self/status"));
    let kib: u64 = line
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .expect("a number of kB");
    kib * 1024
}

/// The child: runs one implementation and prints its peak bytes per task.
fn child(implementation: &str) {
    let rt = common::runtime();
    let before = status_bytes("VmRSS");
    rt.block_on(async {
        match implementation {
            ERRGROUP => errgroup().await,
            TOKIO_SPAWN => tokio_spawn().await,
            JOINSET => joinset().await,
            FUTURES_UNORDERED => futures_unordered().await,
            SCOPE => scope().await,
            other => panic!("unknown implementation {other}"),
        }
    });
    let peak = status_bytes("VmHWM");
    println!("{}", peak.saturating_sub(before) / TASKS);
}

fn measure(implementation: &str) -> u64 {
    let exe = env::current_exe().expect("the bench binary's path");
    let output = Command::new(exe)
        .args(["--child", implementation])
        .output()
        .expect("the child runs");
    assert!(
        output.status.success(),
        "the {implementation} child failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("the child prints bytes per task")
}

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    if let [flag, implementation] = args.as_slice()
        && flag == "--child"
    {
        return child(implementation);
    }
    // Like criterion: arguments that are not flags filter the benchmarks by id.
    let filters: Vec<&String> = args.iter().filter(|arg| !arg.starts_with('-')).collect();
    for implementation in [ERRGROUP, SCOPE, TOKIO_SPAWN, JOINSET, FUTURES_UNORDERED] {
        let id = format!("memory/{implementation}/{TASKS}");
        if !filters.is_empty() && !filters.iter().any(|filter| id.contains(filter.as_str())) {
            continue;
        }
        let mut runs: Vec<u64> = (0..RUNS).map(|_| measure(implementation)).collect();
        runs.sort_unstable();
        let (min, median, max) = (runs[0], runs[RUNS / 2], runs[RUNS - 1]);
        println!("{id:<40} peak RSS: {median} B/task (min {min}, max {max}, {RUNS} processes)");
        let samples: Vec<String> = runs.iter().map(u64::to_string).collect();
        println!(
            "result\tmemory\t{implementation}\t{TASKS}\t{}",
            samples.join("\t")
        );
    }
}
