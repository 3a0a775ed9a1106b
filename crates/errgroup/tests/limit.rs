//! Behaviour of limited groups: `Builder::limit`, the waiting `spawn` and `try_spawn`.

mod common;

use std::future::pending;

use common::{LiveCounter, after, ms};
use errgroup::{Builder, Error};
use tokio::time::Instant;

/// A task that marks itself alive in `counter` for `millis` of tokio time.
async fn busy(counter: LiveCounter, millis: u64) -> Result<(), ()> {
    let _alive = counter.enter();
    after(millis, Ok(())).await
}

#[tokio::test(start_paused = true)]
async fn waiting_spawn_never_runs_more_than_the_limit() {
    let group = Builder::new().limit(3).build();
    let counter = LiveCounter::default();
    for n in 0..50 {
        group.spawn(busy(counter.clone(), n % 7 + 1)).await;
        assert!(counter.live() <= 3);
    }
    group.wait().await.expect("every task succeeds");
    assert_eq!(counter.most(), 3);
    assert_eq!(counter.started(), 50);
}

#[tokio::test(start_paused = true)]
async fn try_spawn_never_runs_more_than_the_limit() {
    let group = Builder::new().limit(2).build();
    let counter = LiveCounter::default();
    let mut accepted = 0;
    for n in 0..50 {
        if group.try_spawn(busy(counter.clone(), n % 3 + 1)).is_ok() {
            accepted += 1;
        }
        tokio::time::sleep(ms(1)).await;
    }
    group.wait().await.expect("every task succeeds");
    assert_eq!(counter.most(), 2);
    assert!(accepted < 50, "some spawns found the group full");
    assert_eq!(counter.started(), accepted);
}

#[tokio::test(start_paused = true)]
async fn try_spawn_is_refused_when_full_and_accepted_once_a_slot_frees() {
    let group = Builder::new().limit(1).build::<()>();
    group
        .try_spawn(after(10, Ok(())))
        .expect("the slot is free");

    let refused = group.try_spawn(async { Ok("second") }).unwrap_err();
    tokio::time::sleep(ms(20)).await;
    let second = group
        .try_spawn(refused.into_inner())
        .expect("the first task freed its slot");

    assert_eq!(
        group.wait().await.expect("both succeed").take(second),
        "second"
    );
}

/// How many tasks may wait for a slot, as `Builder::limit` documents it.
fn backlog_len(limit: usize) -> usize {
    limit.max(32)
}

#[tokio::test(start_paused = true)]
async fn waiting_spawn_holds_the_producer_back_when_the_backlog_is_full() {
    let limit = 2;
    let group = Builder::new().limit(limit).build::<()>();
    let started = LiveCounter::default();
    let mut most_waiting = 0;
    for spawned in 1..=1_000 {
        group.spawn(busy(started.clone(), 10)).await;
        // Every spawned task either started or waits for a slot in the backlog.
        most_waiting = most_waiting.max(spawned - started.started());
    }
    group.wait().await.expect("every task succeeds");
    assert_eq!(started.most(), limit);
    assert_eq!(
        most_waiting,
        backlog_len(limit),
        "the producer ran ahead by the backlog, no more"
    );
}

#[tokio::test(start_paused = true)]
async fn waiting_for_room_ends_when_the_group_is_cancelled() {
    let limit = 1;
    let group = Builder::new().limit(limit).build::<()>();
    // One task holds the slot until the group is cancelled; the backlog fills up behind it.
    group
        .spawn_with_token(|token| async move {
            token.cancelled().await;
            Err::<(), _>(())
        })
        .await;
    let ran = LiveCounter::default();
    for _ in 1..backlog_len(limit) {
        group.spawn(busy(ran.clone(), 1)).await;
    }
    let token = group.token().clone();
    tokio::spawn(async move {
        tokio::time::sleep(ms(50)).await;
        token.cancel();
    });

    let started = Instant::now();
    group.spawn(busy(ran.clone(), 1)).await; // would wait forever without the cancellation
    assert_eq!(started.elapsed(), ms(50));

    assert!(matches!(group.wait().await, Err(Error::Cancelled)));
    assert_eq!(
        ran.started(),
        0,
        "the queued tasks never ran: the group was cancelled first"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_task_frees_its_slot() {
    let group = Builder::new().limit(1).build();
    group.spawn(async { Err::<(), _>("boom") }).await;
    // The slot is free again (and the task is skipped, as the group is cancelled).
    group.spawn(pending::<Result<(), _>>()).await;
    assert!(matches!(
        group.wait().await,
        Err(Error::Task { error: "boom", .. })
    ));
}

#[test]
#[should_panic(expected = "a group's limit must be at least 1, got 0")]
fn limit_of_zero_panics() {
    let _ = Builder::new().limit(0);
}
