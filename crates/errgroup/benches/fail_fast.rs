//! Workload 2, fail fast: N − 1 tasks wait on the cancellation token and one task fails at
//! once; measured from the start until the wait returns (`fail_fast_total`), and from the
//! failure until the wait returns (`fail_fast_after_failure`).
//!
//! The parked tasks return `Failed::Cancelled` when they see the token (Go's
//! `return ctx.Err()`). The failing task is spawned last and records the instant just before
//! it returns its error. Every implementation has ended all its tasks when it returns: `Group`,
//! `Scope` and the runtime-task ones wait for them; `FuturesUnordered` drops the futures it
//! has not finished, as `try_join_all` and `try_collect` do.

mod common;

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use common::{ERRGROUP, FUTURES_UNORDERED, Failed, JOINSET, SCOPE, TOKIO_SPAWN, bench, joined};
use criterion::Criterion;
use errgroup::{CancellationToken, Group, Scope};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::task::JoinSet;

/// What one run measured.
struct Run {
    started: Instant,
    failed_at: Instant,
    returned: Instant,
}

/// What a task of the workload does.
enum Role {
    /// Park on the token until it is cancelled.
    Parked(CancellationToken),
    /// Fail as soon as it runs, recording when.
    Failing(Arc<OnceLock<Instant>>),
}

/// One task of the workload: every implementation runs this same future type.
async fn task(role: Role) -> Result<(), Failed> {
    match role {
        Role::Parked(token) => {
            token.cancelled().await;
            Err(Failed::Cancelled)
        }
        Role::Failing(failed_at) => {
            failed_at.set(Instant::now()).expect("one task fails");
            Err(Failed::OnPurpose)
        }
    }
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
        group.spawn(task(Role::Parked(group.token().clone())));
    }
    group.spawn(task(Role::Failing(failed_at)));
    let error = group.wait().await.expect_err("the group fails");
    assert_eq!(error.into_task_error().ok(), Some(Failed::OnPurpose));
}

/// `Scope`: the tasks run inline, inside `wait`.
async fn scope(tasks: u64, failed_at: Arc<OnceLock<Instant>>) {
    let mut scope = Scope::new();
    for _ in 1..tasks {
        let token = scope.token().clone();
        scope.spawn(task(Role::Parked(token)));
    }
    scope.spawn(task(Role::Failing(failed_at)));
    let error = scope.wait().await.expect_err("the scope fails");
    assert_eq!(error.into_task_error().ok(), Some(Failed::OnPurpose));
}

/// Raw `tokio::spawn`: the failing task cancels the token itself, and the caller awaits every
/// `JoinHandle` in spawn order.
async fn tokio_spawn(tasks: u64, failed_at: Arc<OnceLock<Instant>>) {
    let token = CancellationToken::new();
    let mut handles: Vec<_> = (1..tasks)
        .map(|_| tokio::spawn(task(Role::Parked(token.clone()))))
        .collect();
    let failing = task(Role::Failing(failed_at));
    handles.push(tokio::spawn(async move {
        let result = failing.await;
        token.cancel();
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
        set.spawn(task(Role::Parked(token.clone())));
    }
    set.spawn(task(Role::Failing(failed_at)));
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

/// `FuturesUnordered`, polled inline: the first error returns, and dropping the set drops the
/// parked futures.
async fn futures_unordered(tasks: u64, failed_at: Arc<OnceLock<Instant>>) {
    let token = CancellationToken::new();
    let mut set: FuturesUnordered<_> = (1..tasks)
        .map(|_| task(Role::Parked(token.clone())))
        .collect();
    set.push(task(Role::Failing(failed_at)));
    let first = loop {
        match set.next().await.expect("a task fails") {
            Ok(()) => {}
            Err(error) => break error,
        }
    };
    drop(set);
    assert_eq!(first, Failed::OnPurpose, "the failing task fails first");
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
            bench(&mut group, &rt, SCOPE, tasks, tasks, || async move {
                span.of(&run(|failed_at| scope(tasks, failed_at)).await)
            });
            bench(&mut group, &rt, TOKIO_SPAWN, tasks, tasks, || async move {
                span.of(&run(|failed_at| tokio_spawn(tasks, failed_at)).await)
            });
            bench(&mut group, &rt, JOINSET, tasks, tasks, || async move {
                span.of(&run(|failed_at| joinset(tasks, failed_at)).await)
            });
            bench(
                &mut group,
                &rt,
                FUTURES_UNORDERED,
                tasks,
                tasks,
                || async move { span.of(&run(|failed_at| futures_unordered(tasks, failed_at)).await) },
            );
        }
        group.finish();
    }
}

fn main() {
    common::run(fail_fast);
}
