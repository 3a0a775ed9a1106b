//! Behaviour of `GroupHandle`: spawning from inside tasks and from elsewhere, and refusing
//! tasks once the group has ended.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{LiveCounter, after, counted, hang_guard};
use errgroup::{Builder, Cause, Group, GroupHandle, SpawnError};

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
        Ok(inner.expect("a task of the group spawns into it"))
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
        handle
            .spawn(after::<(), _>(10, Err("nested failure")))
            .expect("a task of the group spawns into it");
        Ok(())
    });
    assert_eq!(
        group.wait().await.unwrap_err().to_string(),
        "nested failure"
    );
}

#[tokio::test(start_paused = true)]
async fn a_spawn_after_wait_returned_is_refused_as_closed() {
    let group = Group::<()>::new();
    let handle = group.handle();
    group.wait().await.expect("no tasks");

    assert_every_spawn_is_refused_as_closed(&handle).await;
    assert!(handle.token().is_cancelled());
}

#[tokio::test(start_paused = true)]
async fn a_spawn_after_the_group_was_dropped_is_refused_as_closed() {
    for limit in [None, Some(1)] {
        let mut builder = Builder::new();
        if let Some(limit) = limit {
            builder = builder.limit(limit);
        }
        let group = builder.build::<()>();
        let handle = group.handle();
        drop(group);

        assert_every_spawn_is_refused_as_closed(&handle).await;
        assert_eq!(handle.cause(), Some(Cause::Dropped));
    }
}

#[tokio::test(start_paused = true)]
async fn a_refused_task_comes_back_unpolled() {
    let group = Group::<()>::new();
    let handle = group.handle();
    drop(group);
    let ran = LiveCounter::default();
    let refused = handle.spawn(counted(&ran)).unwrap_err().into_inner();
    assert_eq!(ran.started(), 0);
    refused.await.expect("the task runs when polled by hand");
    assert_eq!(ran.started(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_handle_shares_the_groups_token_and_cause() {
    let group = Group::<()>::new();
    let handle = group.handle().clone();
    assert_eq!(handle.cause(), None);
    group.token().cancel();
    assert!(handle.token().is_cancelled());
    assert_eq!(handle.cause(), Some(Cause::TokenCancelled));
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
                .spawn_with_backpressure(async move {
                    let _alive = counter.enter();
                    after(5, Ok(())).await
                })
                .await
                .expect("the group is open while its owner holds it");
        }
    });
    producer.await.expect("the producer does not panic");
    group.wait().await.expect("every task succeeds");
    assert_eq!((running.most(), running.started()), (2, 100));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "too slow: repeats a race on the multi-thread runtime")]
async fn spawns_racing_the_end_of_wait_are_waited_for_or_refused_on_the_multi_thread_runtime() {
    for limit in [None, Some(2)] {
        for _ in 0..100 {
            let mut builder = Builder::new();
            if let Some(limit) = limit {
                builder = builder.limit(limit);
            }
            let group = builder.build::<()>();
            let handle = group.handle();
            let ran = Arc::new(AtomicUsize::new(0));
            let producer = {
                let ran = Arc::clone(&ran);
                tokio::spawn(async move {
                    let mut accepted = 0;
                    loop {
                        let ran = Arc::clone(&ran);
                        let spawned = handle.spawn(async move {
                            ran.fetch_add(1, Ordering::SeqCst);
                            Ok(())
                        });
                        match spawned {
                            Ok(_) => accepted += 1,
                            Err(SpawnError::Closed(_)) => return accepted,
                            Err(error) => panic!("unexpected {error:?}"),
                        }
                        tokio::task::yield_now().await;
                    }
                })
            };
            group.spawn(async {
                tokio::task::yield_now().await;
                Ok(())
            });
            hang_guard("wait", group.wait())
                .await
                .expect("every accepted task ran");
            let ran_before_wait_returned = ran.load(Ordering::SeqCst);
            let accepted = hang_guard("the producer", producer)
                .await
                .expect("the producer ends");
            // Every task the group accepted ran before `wait` returned: none was lost.
            assert_eq!(ran_before_wait_returned, accepted);
        }
    }
}

/// Every way to spawn through `handle` hands the task back as `Closed`, and none of them runs.
async fn assert_every_spawn_is_refused_as_closed(handle: &GroupHandle<()>) {
    let ran = LiveCounter::default();
    let refused = handle.spawn(counted(&ran));
    assert!(matches!(refused, Err(SpawnError::Closed(_))));
    let refused = handle.try_spawn(counted(&ran));
    assert!(matches!(refused, Err(SpawnError::Closed(_))));
    let refused = handle.spawn_with_backpressure(counted(&ran)).await;
    assert!(matches!(refused, Err(SpawnError::Closed(_))));
    tokio::task::yield_now().await;
    assert_eq!(ran.started(), 0);
}
