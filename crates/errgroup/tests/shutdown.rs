//! Behaviour of `Group::shutdown`: cancel, grace period, abort the rest, report.

mod common;

use std::future::pending;

use common::{LiveCounter, hang_guard, ms};
use errgroup::{Builder, Cause, Error, Group, TaskId};
use tokio::time::Instant;

/// A task that marks itself alive in `counter` and never ends by itself, ignoring the token.
async fn stubborn(counter: LiveCounter) -> Result<(), ()> {
    let _alive = counter.enter();
    pending().await
}

#[tokio::test(start_paused = true)]
async fn cooperative_tasks_end_within_the_grace_period_and_nothing_is_aborted() {
    let started = Instant::now();
    let group = Group::<()>::new();
    for _ in 0..3 {
        let token = group.token().clone();
        group.spawn(async move {
            token.cancelled().await;
            Ok(())
        });
    }
    tokio::task::yield_now().await;

    let shutdown = group.shutdown(ms(5_000)).await;
    assert!(shutdown.aborted.is_empty());
    assert!(shutdown.result.is_ok(), "every task delivered its value");
    assert_eq!(
        started.elapsed(),
        ms(0),
        "no need to wait out the grace period"
    );
}

#[tokio::test(start_paused = true)]
async fn tasks_still_running_after_the_grace_period_are_aborted_and_reported() {
    let started = Instant::now();
    let group = Group::<()>::new();
    let running = LiveCounter::default();
    let first = group.spawn(stubborn(running.clone()));
    let token = group.token().clone();
    group.spawn(async move {
        token.cancelled().await;
        Ok(())
    });
    let second = group.spawn(stubborn(running.clone()));
    tokio::task::yield_now().await;

    let shutdown = group.shutdown(ms(2_000)).await;
    assert_eq!(shutdown.aborted, [first.id(), second.id()]);
    assert_eq!(started.elapsed(), ms(2_000));
    assert_eq!(
        running.live(),
        0,
        "shutdown returns once the aborted tasks are gone"
    );
    assert_eq!(
        shutdown.result.unwrap_err(),
        Error::Cancelled {
            cause: Cause::ShutDown
        }
    );
}

#[tokio::test(start_paused = true)]
async fn shutdown_reports_the_aborted_running_tasks_of_a_limited_group_not_the_queued_ones() {
    let group = Builder::new().limit(2).build::<()>();
    let running = LiveCounter::default();
    let ids: Vec<TaskId> = (0..5)
        .map(|_| group.spawn(stubborn(running.clone())).id())
        .collect();
    tokio::task::yield_now().await;
    assert_eq!(running.live(), 2);

    let shutdown = group.shutdown(ms(100)).await;
    assert_eq!(shutdown.aborted, ids[..2]);
    assert_eq!(running.started(), 2, "the queued tasks never started");
    assert_eq!(running.live(), 0);
    assert!(shutdown.result.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "too slow: repeats a race on the multi-thread runtime")]
async fn shutdown_reports_the_aborted_running_tasks_of_a_limited_group_on_the_multi_thread_runtime()
{
    for _ in 0..50 {
        let group = Builder::new().limit(2).build::<()>();
        let running = LiveCounter::default();
        let ids: Vec<TaskId> = (0..5)
            .map(|_| group.spawn(stubborn(running.clone())).id())
            .collect();
        hang_guard("the first two tasks to start", async {
            while running.started() < 2 {
                tokio::task::yield_now().await;
            }
        })
        .await;

        let shutdown = hang_guard("shutdown", group.shutdown(ms(1))).await;
        assert_eq!(shutdown.aborted, ids[..2]);
        assert_eq!(running.started(), 2, "the queued tasks never started");
        assert_eq!(running.live(), 0);
        assert!(shutdown.result.is_err());
    }
}

#[tokio::test(start_paused = true)]
async fn shutdown_reports_an_earlier_failure() {
    let group = Builder::new().limit(2).build();
    group.spawn(async { Err::<(), _>("failed before the shutdown") });
    tokio::task::yield_now().await;

    let shutdown = group.shutdown(ms(100)).await;
    assert!(matches!(
        shutdown.result,
        Err(Error::Task {
            error: "failed before the shutdown",
            ..
        })
    ));
}

#[tokio::test(start_paused = true)]
async fn shutdown_of_a_finished_group_returns_its_outputs_at_once() {
    let started = Instant::now();
    let group = Group::<()>::new();
    let value = group.spawn(async { Ok(5) });
    tokio::task::yield_now().await;

    let shutdown = group.shutdown(ms(1_000)).await;
    assert!(shutdown.aborted.is_empty());
    assert_eq!(shutdown.result.expect("the task succeeded").take(value), 5);
    assert_eq!(started.elapsed(), ms(0));
}
