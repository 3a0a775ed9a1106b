//! Helpers shared by the benchmarks: the runtime, criterion's settings, the error type and the
//! way a workload is timed.

#![allow(dead_code, unreachable_pub)] // each bench crate uses a different part of this module

use std::future::Future;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};
use tokio::runtime::Runtime;

/// The implementations compared, as named in the benchmark ids.
pub const ERRGROUP: &str = "errgroup";
/// Raw `tokio::spawn`, awaiting each `JoinHandle` in turn.
pub const TOKIO_SPAWN: &str = "tokio_spawn";
/// `tokio::task::JoinSet`, drained with `join_next`.
pub const JOINSET: &str = "joinset";

/// The error every benchmarked task returns when it fails.
#[derive(Debug, PartialEq, Eq)]
pub enum Failed {
    /// The task that fails on purpose.
    OnPurpose,
    /// A task that stopped because the token was cancelled (Go's `return ctx.Err()`).
    Cancelled,
}

/// A multi-thread runtime with the default number of workers, as `#[tokio::main]` builds it.
pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the runtime starts")
}

/// Criterion with few, flat samples: every iteration runs a whole workload of up to 100,000
/// tasks, so a few seconds per benchmark are enough and keep `cargo bench` short.
pub fn criterion() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args()
}

/// The `main` of a criterion bench binary: runs `benchmarks` with [`criterion`]'s settings and
/// the command line's filters and options.
pub fn run(benchmarks: fn(&mut Criterion)) {
    let mut criterion = criterion();
    benchmarks(&mut criterion);
    criterion.final_summary();
}

/// Opens a benchmark group with flat sampling: every sample runs the same number of iterations.
pub fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group.sampling_mode(SamplingMode::Flat);
    group
}

/// Benchmarks one implementation on one parameter: each iteration runs `workload` on `rt`
/// (driven by `block_on`, as `#[tokio::main]` drives `main`), and counts only the duration the
/// workload returns, so building the runtime and the workload's inputs is never measured.
pub fn bench<F, Fut>(
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
pub async fn timed(work: impl Future<Output = ()>) -> Duration {
    let start = Instant::now();
    work.await;
    start.elapsed()
}

/// Unwraps a task's join result, resuming its panic if it panicked.
pub fn joined<T>(result: Result<T, tokio::task::JoinError>) -> T {
    result.unwrap_or_else(|error| std::panic::resume_unwind(error.into_panic()))
}
