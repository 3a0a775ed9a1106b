//! Workload 2, fail fast: N − 1 tasks wait on the cancellation token and one task fails at
//! once; measured from the start until the wait returns (`fail_fast_total`), and from the
//! failure until the wait returns (`fail_fast_after_failure`).
//!
//! Every implementation waits for all its tasks to end before it returns, as `Group::wait`
//! does, and the parked tasks return `Failed::Cancelled` when they see the token (Go's
//! `return ctx.Err()`). The failing task is spawned last and records the instant just before
//! it returns its error.

mod common;

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use common::{ERRGROUP, Failed, JOINSET, TOKIO_SPAWN, bench, joined};
use criterion::Criterion;
use errgroup::Group;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// What one run measured.
struct Run {
    started: Instant,
    failed_at: Instant,
    returned: Instant,
}

/// A task that parks on `token` until it is cancelled.
async fn parked(token: CancellationToken) -> Result<(), Failed> {
    token.cancelled().await;
    Err(Failed::Cancelled)
}

/// The task that fails as soon as it runs, recording when in `failed_at`.
async fn failing(failed_at: Arc<OnceLock<Instant>>) -> Result<(), Failed> {
    failed_at.set(Instant::now()).expect("one task fails");
    Err(Failed::OnPurpose)
}

/// Runs one implementation's workload, handing it the slot its failing task records the
/// failure's instant in.
async fn run<Fut>(workload: impl FnOnce(Arc<OnceLock<Instant>>) -> Fut) -> Run
where
    Fut: Future<Output = ()>,
{
    let failed_at = Arc::<OnceLock<Instant>>::default();
    let started = Instant::now();
    workload(Arc::clone(&failed_at)).await;
    let returned = Instant::now();
    Run {
        started,
        failed_at: *failed_at.get().expect("the failing task ran"),
        returned,
    }
}

async fn errgroup(tasks: u64, failed_at: Arc<OnceLock<Instant>>) {
    let group = Group::new();
    for _ in 1..tasks {
        group.spawn_with_token(parked);
    }
    group.spawn(failing(failed_at));
    assert!(group.wait().await.is_err(), "the group fails");
}

/// Raw `tokio::spawn`: the failing task cancels the token itself, and the caller awaits every
/// `JoinHandle` in spawn order.
async fn tokio_spawn(tasks: u64, failed_at: Arc<OnceLock<Instant>>) {
    let token = CancellationToken::new();
    let mut handles: Vec<_> = (1..tasks)
        .map(|_| tokio::spawn(parked(token.clone())))
        .collect();
    let failing_token = token.clone();
    let body = failing(failed_at);
    handles.push(tokio::spawn(async move {
        let result = body.await;
        failing_token.cancel();
        result
    }));
    let mut failed = false;
    for handle in handles {
        failed |= joined(handle.await) == Err(Failed::OnPurpose);
    }
    assert!(failed, "one task fails");
}

/// `JoinSet` + token + `abort_all`: the first error cancels the token and aborts the set, then
/// the set is drained.
async fn joinset(tasks: u64, failed_at: Arc<OnceLock<Instant>>) {
    let token = CancellationToken::new();
    let mut set = JoinSet::new();
    for _ in 1..tasks {
        set.spawn(parked(token.clone()));
    }
    set.spawn(failing(failed_at));
    let mut first = None;
    while let Some(result) = set.join_next().await {
        match result {
            Err(aborted) if aborted.is_cancelled() => {}
            result => {
                if let (Err(error), None) = (joined(result), &first) {
                    first = Some(error);
                    token.cancel();
                    set.abort_all();
                }
            }
        }
    }
    assert_eq!(
        first,
        Some(Failed::OnPurpose),
        "the failing task fails first"
    );
}

/// Which span of a run a benchmark reports.
#[derive(Clone, Copy)]
enum Span {
    /// From the start until the wait returns.
    Total,
    /// From the failure until the wait returns.
    AfterFailure,
}

impl Span {
    fn group(self) -> &'static str {
        match self {
            Self::Total => "fail_fast_total",
            Self::AfterFailure => "fail_fast_after_failure",
        }
    }

    fn of(self, run: &Run) -> Duration {
        match self {
            Self::Total => run.returned - run.started,
            Self::AfterFailure => run.returned - run.failed_at,
        }
    }
}

fn fail_fast(c: &mut Criterion) {
    let rt = common::runtime();
    for span in [Span::Total, Span::AfterFailure] {
        let mut group = common::group(c, span.group());
        for tasks in [10_000, 100_000] {
            bench(&mut group, &rt, ERRGROUP, tasks, tasks, || async move {
                span.of(&run(|failed_at| errgroup(tasks, failed_at)).await)
            });
            bench(&mut group, &rt, TOKIO_SPAWN, tasks, tasks, || async move {
                span.of(&run(|failed_at| tokio_spawn(tasks, failed_at)).await)
            });
            bench(&mut group, &rt, JOINSET, tasks, tasks, || async move {
                span.of(&run(|failed_at| joinset(tasks, failed_at)).await)
            });
        }
        group.finish();
    }
}

fn main() {
    common::run(fail_fast);
}
