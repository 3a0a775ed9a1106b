//! Behaviour of `Group::shutdown`: cancel, grace period, abort the rest, report.

mod common;

use std::future::pending;

use common::{LiveCounter, ms};
use errgroup::{Builder, Error, Group, named};
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn cooperative_tasks_end_within_the_grace_period_and_nothing_is_aborted() {
    let started = Instant::now();
    let group = Group::<()>::new();
    for _ in 0..3 {
        group.spawn_with_token(|token| async move {
            token.cancelled().await;
            Ok(())
        });
    }
    tokio::task::yield_now().await;

    let report = group.shutdown(ms(5_000)).await;
    assert!(report.aborted().is_empty());
    assert!(
        report.into_result().is_ok(),
        "every task delivered its value"
    );
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
    let stubborn = LiveCounter::default();
    for name in ["stubborn-a", "stubborn-b"] {
        let alive = stubborn.enter();
        group.spawn(named(name, async move {
            let _alive = alive;
            pending::<Result<(), ()>>().await
        }));
    }
    group.spawn_with_token(|token| {
        named("polite", async move {
            token.cancelled().await;
            Ok(())
        })
    });
    tokio::task::yield_now().await;

    let report = group.shutdown(ms(2_000)).await;
    let mut aborted: Vec<_> = report
        .aborted()
        .iter()
        .filter_map(|task| task.name())
        .collect();
    aborted.sort_unstable();
    assert_eq!(aborted, ["stubborn-a", "stubborn-b"]);
    assert_eq!(started.elapsed(), ms(2_000));
    assert_eq!(
        stubborn.live(),
        0,
        "shutdown returns once the aborted tasks are gone"
    );
    assert!(matches!(report.into_result(), Err(Error::Cancelled)));
}

#[tokio::test(start_paused = true)]
async fn shutdown_reports_an_earlier_failure() {
    let group = Builder::new().limit(2).build();
    group
        .spawn(async { Err::<(), _>("failed before the shutdown") })
        .await;
    tokio::task::yield_now().await;

    let report = group.shutdown(ms(100)).await;
    assert!(matches!(
        report.into_result(),
        Err(Error::Task {
            error: "failed before the shutdown",
            ..
        })
    ));
}
