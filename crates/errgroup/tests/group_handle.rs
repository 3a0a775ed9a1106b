//! Behaviour of `GroupHandle`: spawning from inside tasks and from elsewhere.

mod common;

use common::{LiveCounter, after, counted};
use errgroup::{Builder, Group};

#[tokio::test(start_paused = true)]
async fn wait_covers_tasks_spawned_by_tasks() {
    let group = Group::<()>::new();
    let handle = group.handle();
    let counter = LiveCounter::default();
    let inner_counter = counter.clone();
    let outer = group.spawn(async move {
        let _alive = inner_counter.enter();
        let inner_alive = inner_counter.enter();
        let inner = handle.spawn(async move {
            let _alive = inner_alive;
            after(100, Ok("inner")).await // outlives the task that spawned it
        });
        Ok(inner)
    });

    let outputs = group.wait().await.expect("both succeed");
    assert_eq!(counter.live(), 0);
    let inner = outputs.take(outer);
    assert_eq!(outputs.take(inner), "inner");
}

#[tokio::test(start_paused = true)]
async fn an_error_in_a_nested_task_fails_the_group() {
    let group = Group::new();
    let handle = group.handle();
    group.spawn(async move {
        handle.spawn(after::<(), _>(10, Err("nested failure")));
        Ok(())
    });
    assert_eq!(
        group.wait().await.unwrap_err().to_string(),
        "nested failure"
    );
}

#[tokio::test(start_paused = true)]
async fn a_task_spawned_through_a_handle_after_the_group_finished_never_runs() {
    let group = Group::<()>::new();
    let handle = group.handle();
    group.wait().await.expect("no tasks");

    let ran = LiveCounter::default();
    handle.spawn(counted(&ran));
    tokio::task::yield_now().await;
    assert_eq!(ran.started(), 0);
    assert!(handle.token().is_cancelled());
}

#[tokio::test(start_paused = true)]
async fn a_limited_handle_holds_the_limit_like_the_group() {
    let group = Builder::new().limit(2).build::<()>();
    let handle = group.handle();
    let running = LiveCounter::default();
    let counter = running.clone();
    let producer = tokio::spawn(async move {
        for _ in 0..100 {
            let counter = counter.clone();
            handle
                .spawn(async move {
                    let _alive = counter.enter();
                    after(5, Ok(())).await
                })
                .await;
        }
    });
    producer.await.expect("the producer does not panic");
    group.wait().await.expect("every task succeeds");
    assert_eq!((running.most(), running.started()), (2, 100));
}
