//! Helpers shared by the benchmarks: the implementations' names, the runtime, criterion's
//! settings, the error type and the way a workload is timed.

#![allow(
    dead_code,
    reason = "each bench binary compiles this module and uses a different part of it"
)]

use std::future::Future;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};
use tokio::runtime::Runtime;

/// `errgroup::Group`.
pub(crate) const ERRGROUP: &str = "errgroup";
/// `errgroup::Scope`: the futures run inside `wait`, without a runtime task each.
pub(crate) const SCOPE: &str = "scope";
/// Raw `tokio::spawn`, awaiting each `JoinHandle` in turn.
pub(crate) const TOKIO_SPAWN: &str = "tokio_spawn";
/// Raw `tokio::spawn` with the handles dropped: each task decrements a shared counter, and the
/// last one wakes the waiter through a `Notify`. The least a group of runtime tasks can do.
pub(crate) const BARE_SPAWN: &str = "bare_spawn";
/// `tokio::task::JoinSet`, drained with `join_next`.
pub(crate) const JOINSET: &str = "joinset";
/// `futures_util::stream::FuturesUnordered`: every future polled inline by the waiter, no
/// runtime task each (`buffer_unordered` where there is a limit).
pub(crate) const FUTURES_UNORDERED: &str = "futures_unordered";
/// `tokio_util::task::TaskTracker`.
pub(crate) const TASK_TRACKER: &str = "task_tracker";

/// The error every benchmarked task returns when it fails.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Failed {
    /// The task that fails on purpose.
    OnPurpose,
    /// A task that stopped because the token was cancelled (Go's `return ctx.Err()`).
    Cancelled,
}

/// A multi-thread runtime with the default number of workers and every driver, as
/// `#[tokio::main]` builds it.
pub(crate) fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the runtime starts")
}

/// Criterion with few, flat samples: every iteration runs a whole workload of up to 100,000
/// tasks, so 20 samples over 2 seconds after half a second of warm-up are enough, and keep the
/// whole of `bench/run.sh` within about 6 minutes on 2 cores. bench/table.py reads the raw
/// samples, not criterion's bootstrapped estimates, so 10,000 resamples (a tenth of the
/// default) do. bench/go/main.go samples with the same settings.
pub(crate) fn criterion() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .nresamples(10_000)
        .configure_from_args()
}

/// The `main` of a criterion bench binary: runs `benchmarks` with [`criterion`]'s settings and
/// the command line's filters and options.
pub(crate) fn run(benchmarks: fn(&mut Criterion)) {
    let mut criterion = criterion();
    benchmarks(&mut criterion);
    criterion.final_summary();
}

/// Opens a benchmark group with flat sampling: every sample runs the same number of iterations.
pub(crate) fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group.sampling_mode(SamplingMode::Flat);
    group
}

/// Benchmarks one implementation on one parameter: each iteration runs `workload` on `rt`
/// (driven by `block_on`, as `#[tokio::main]` drives `main`), and counts only the duration the
/// workload returns, so building the runtime and the workload's inputs is never measured.
pub(crate) fn bench<F, Fut>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    rt: &Runtime,
    implementation: &str,
    parameter: impl std::fmt::Display,
    tasks: u64,
    mut workload: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = Duration>,
{
    group.throughput(Throughput::Elements(tasks));
    group.bench_function(BenchmarkId::new(implementation, parameter), |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    total += workload().await;
                }
                total
            })
        });
    });
}

/// Runs `work` and returns how long it took.
pub(crate) async fn timed(work: impl Future<Output = ()>) -> Duration {
    let start = Instant::now();
    work.await;
    start.elapsed()
}

/// Runs `work` in a task of its own, on a runtime worker rather than on the `block_on` thread,
/// and returns what it returns: a producer that is itself a task, as in a server.
pub(crate) async fn on_worker<T: Send + 'static>(
    work: impl Future<Output = T> + Send + 'static,
) -> T {
    joined(tokio::spawn(work).await)
}

/// Unwraps a task's join result, resuming its panic if it panicked.
pub(crate) fn joined<T>(result: Result<T, tokio::task::JoinError>) -> T {
    result.unwrap_or_else(|error| std::panic::resume_unwind(error.into_panic()))
}
