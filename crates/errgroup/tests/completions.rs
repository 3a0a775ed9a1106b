//! Behaviour of `Completions`: task values in completion order, with fail-fast rules.

mod common;

use common::{LiveCounter, after, ms, panic_message};
use errgroup::{Completions, Error};
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn yields_values_in_completion_order_then_none() {
    let mut tasks = Completions::<u64, ()>::new();
    for millis in [30, 10, 20] {
        tasks.spawn(after(millis, Ok(millis)));
    }
    let mut seen = Vec::new();
    while let Some(value) = tasks.next().await {
        seen.push(value.expect("no failure"));
    }
    assert_eq!(seen, [10, 20, 30]);
}

#[tokio::test(start_paused = true)]
async fn yields_each_value_as_soon_as_its_task_ends() {
    let started = Instant::now();
    let mut tasks = Completions::<u64, ()>::new();
    tasks.spawn(after(10, Ok(1)));
    tasks.spawn(after(1_000, Ok(2)));
    assert_eq!(tasks.next().await, Some(Ok(1)));
    assert_eq!(started.elapsed(), ms(10));
}

#[tokio::test(start_paused = true)]
async fn yields_earlier_values_then_the_first_failure_then_none() {
    let mut tasks = Completions::<u64, &str>::new();
    let cancelled = LiveCounter::default();
    tasks.spawn(after(10, Ok(1)));
    tasks.spawn(after(20, Err("boom")));
    let alive = cancelled.enter();
    tasks.spawn_with_token(|token| async move {
        let _alive = alive;
        token.cancelled().await;
        Err("cancelled")
    });

    assert_eq!(tasks.next().await, Some(Ok(1)));
    assert!(matches!(
        tasks.next().await,
        Some(Err(Error::Task { error: "boom", .. }))
    ));
    assert_eq!(
        cancelled.live(),
        0,
        "the failure was returned after every task had ended"
    );
    assert_eq!(tasks.next().await, None);
}

#[tokio::test(start_paused = true)]
async fn more_tasks_can_be_spawned_after_the_set_ran_dry() {
    let mut tasks = Completions::<u8, ()>::new();
    assert_eq!(tasks.next().await, None);
    tasks.spawn(async { Ok(1) });
    assert_eq!(tasks.next().await, Some(Ok(1)));
}

#[tokio::test(start_paused = true)]
async fn a_dropped_next_loses_no_value() {
    let mut tasks = Completions::<u8, ()>::new();
    tasks.spawn(after(100, Ok(7)));
    assert!(tokio::time::timeout(ms(50), tasks.next()).await.is_err());
    assert_eq!(tasks.next().await, Some(Ok(7)));
}

#[tokio::test(start_paused = true)]
async fn a_panic_resumes_in_next() {
    let mut tasks = Completions::<u8, ()>::new();
    tasks.spawn(async { panic!("task exploded") as Result<u8, ()> });
    let next = tokio::spawn(async move { tasks.next().await }).await;
    assert_eq!(
        panic_message(next.unwrap_err().into_panic()),
        "task exploded"
    );
}

#[tokio::test(start_paused = true)]
async fn a_limited_set_holds_its_limit_and_yields_in_completion_order() {
    let mut tasks = Completions::<u64, (), _>::from(errgroup::Builder::new().limit(2).build());
    let running = LiveCounter::default();
    for millis in [40, 10, 35, 20] {
        let alive = running.clone();
        tasks
            .spawn(async move {
                let _alive = alive.enter();
                after(millis, Ok(millis)).await
            })
            .await;
    }
    let mut seen = Vec::new();
    while let Some(value) = tasks.next().await {
        seen.push(value.expect("no failure"));
    }
    // Two slots: 40 and 10 start at 0; 35 starts at 10 (ends at 45); 20 at 40 (ends at 60).
    assert_eq!(seen, [10, 40, 35, 20]);
    assert_eq!(running.most(), 2);
}
