//! Behaviour of `Completions`: task values in completion order, with fail-fast rules.

mod common;

use std::future::pending;

use common::{LiveCounter, after, fails_when_cancelled, hang_guard, ms, panic_message};
use errgroup::{Builder, Completions, Error};
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
    let failing = tasks.spawn(after(20, Err("boom")));
    let alive = cancelled.enter();
    let token = tasks.token().clone();
    tasks.spawn(async move {
        let _alive = alive;
        fails_when_cancelled(token).await
    });

    assert_eq!(tasks.next().await, Some(Ok(1)));
    assert_eq!(
        tasks.next().await,
        Some(Err(Error::Task {
            task: failing,
            error: "boom"
        }))
    );
    assert_eq!(
        cancelled.live(),
        0,
        "the failure was returned after every task had ended"
    );
    assert_eq!(tasks.next().await, None);
}

#[tokio::test(start_paused = true)]
async fn a_group_that_keeps_all_errors_yields_every_failure_one_by_one() {
    let mut tasks = Completions::<u64, &str>::from(Builder::new().keep_all_errors().build());
    tasks.spawn(after(30, Err("second")));
    tasks.spawn(after(10, Ok(1)));
    tasks.spawn(after(20, Err("first")));

    assert_eq!(tasks.next().await, Some(Ok(1)));
    let failures: Vec<_> = [tasks.next().await, tasks.next().await]
        .into_iter()
        .map(|next| next.expect("a failure").unwrap_err().into_task_error())
        .collect();
    assert_eq!(failures, [Ok("first"), Ok("second")]);
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
    let mut tasks = Completions::<u64, ()>::from(Builder::new().limit(2).build());
    let running = LiveCounter::default();
    for millis in [40, 10, 35, 20] {
        let alive = running.clone();
        tasks.spawn(async move {
            let _alive = alive.enter();
            after(millis, Ok(millis)).await
        });
    }
    let mut seen = Vec::new();
    while let Some(value) = tasks.next().await {
        seen.push(value.expect("no failure"));
    }
    // Two slots: 40 and 10 start at 0; 35 starts at 10 (ends at 45); 20 at 40 (ends at 60).
    assert_eq!(seen, [10, 40, 35, 20]);
    assert_eq!(running.most(), 2);
}

#[tokio::test(start_paused = true)]
async fn dropping_it_aborts_its_tasks() {
    let tasks = Completions::<(), ()>::new();
    let captured = LiveCounter::default();
    for _ in 0..3 {
        let alive = captured.enter();
        tasks.spawn(async move {
            let _alive = alive;
            pending().await
        });
    }
    let token = tasks.token().clone();
    tokio::task::yield_now().await;

    drop(tasks);
    assert!(token.is_cancelled());
    hang_guard("dropping the aborted tasks", captured.none_live()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "too slow: repeats a race on the multi-thread runtime")]
async fn yields_every_value_once_on_the_multi_thread_runtime() {
    for _ in 0..50 {
        let mut tasks = Completions::<u32, ()>::from(Builder::new().limit(3).build());
        for n in 0..100 {
            tasks.spawn(async move {
                tokio::task::yield_now().await;
                Ok(n)
            });
        }
        let mut seen = Vec::new();
        while let Some(value) = hang_guard("next", tasks.next()).await {
            seen.push(value.expect("no failure"));
        }
        seen.sort_unstable();
        assert_eq!(seen, (0..100).collect::<Vec<_>>());
    }
}
