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

#[tokio::test(start_paused = true)]
async fn waiting_spawn_holds_the_producer_back_until_a_slot_frees() {
    let started = Instant::now();
    let group = Builder::new().limit(2).build::<()>();
    for _ in 0..2 {
        group.spawn(after(100, Ok(()))).await;
    }
    assert_eq!(started.elapsed(), ms(0));

    group.spawn(async { Ok(()) }).await;
    assert_eq!(
        started.elapsed(),
        ms(100),
        "the third spawn waited for a slot"
    );
    group.wait().await.expect("every task succeeds");
}

#[tokio::test(start_paused = true)]
async fn waiting_for_a_slot_ends_when_the_group_is_cancelled() {
    let group = Builder::new().limit(1).build();
    group
        .spawn_with_token(|token| async move {
            token.cancelled().await;
            Err::<(), _>(())
        })
        .await;
    let token = group.token().clone();
    tokio::spawn(async move {
        tokio::time::sleep(ms(50)).await;
        token.cancel();
    });

    let ran = LiveCounter::default();
    let started = Instant::now();
    group.spawn(busy(ran.clone(), 1)).await; // would wait forever without the cancellation
    assert_eq!(started.elapsed(), ms(50));

    assert!(matches!(group.wait().await, Err(Error::Cancelled)));
    assert_eq!(
        ran.started(),
        0,
        "a task spawned into a cancelled group never runs"
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
