//! Behaviour of limited groups: `Builder::limit`, the queue, `try_spawn` and
//! `spawn_with_backpressure`.

mod common;

use std::future::pending;
use std::sync::{Arc, Mutex};

use common::{LiveCounter, after, hang_guard, ms, panic_message};
use errgroup::{Builder, Cause, Error, SpawnError};
use tokio::time::Instant;

/// A task that marks itself alive in `counter` for `millis` of tokio time.
async fn busy(counter: LiveCounter, millis: u64) -> Result<(), ()> {
    let _alive = counter.enter();
    after(millis, Ok(())).await
}

/// A task that marks itself alive in `counter` while it yields to the runtime a few times.
async fn yielding(counter: LiveCounter) -> Result<(), ()> {
    let _alive = counter.enter();
    for _ in 0..3 {
        tokio::task::yield_now().await;
    }
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn spawn_never_runs_more_than_the_limit() {
    let group = Builder::new().limit(3).build();
    let counter = LiveCounter::default();
    for n in 0..50 {
        group.spawn(busy(counter.clone(), n % 7 + 1));
        assert!(counter.live() <= 3);
    }
    group.wait().await.expect("every task succeeds");
    assert_eq!(counter.most(), 3);
    assert_eq!(counter.started(), 50);
}

#[tokio::test(start_paused = true)]
async fn queued_tasks_start_in_spawn_order() {
    let group = Builder::new().limit(2).build::<()>();
    let order = Arc::new(Mutex::new(Vec::new()));
    for n in 0..20_u64 {
        let order = Arc::clone(&order);
        group.spawn(async move {
            order.lock().unwrap().push(n);
            // Later tasks take less time, so only the queue keeps them in order.
            after(20 - n, Ok(())).await
        });
    }
    group.wait().await.expect("every task succeeds");
    assert_eq!(*order.lock().unwrap(), (0..20).collect::<Vec<_>>());
}

#[tokio::test(start_paused = true)]
async fn spawn_with_backpressure_never_runs_more_than_the_limit() {
    let group = Builder::new().limit(3).build();
    let counter = LiveCounter::default();
    for n in 0..50 {
        group
            .spawn_with_backpressure(busy(counter.clone(), n % 7 + 1))
            .await;
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
    assert!(matches!(refused, SpawnError::Full(_)));
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
async fn try_spawn_is_refused_while_queued_tasks_wait_for_a_slot() {
    let group = Builder::new().limit(1).build::<()>();
    group.spawn(after(10, Ok(())));
    group.spawn(after(10, Ok(()))); // queued
    assert!(matches!(
        group.try_spawn(async { Ok(()) }),
        Err(SpawnError::Full(_))
    ));
    group.wait().await.expect("both succeed");
}

#[tokio::test(start_paused = true)]
async fn try_spawn_on_a_group_without_a_limit_always_accepts() {
    let group = errgroup::Group::<()>::new();
    let handles: Vec<_> = (0..100)
        .map(|n| group.try_spawn(async move { Ok(n) }).expect("no limit"))
        .collect();
    let outputs = group.wait().await.expect("every task succeeds");
    assert_eq!(
        handles.into_iter().map(|h| outputs.take(h)).sum::<i32>(),
        4_950
    );
}

/// How many tasks may wait in the queue before `spawn_with_backpressure` waits, as
/// `Group::spawn_with_backpressure` documents it.
fn queue_room(limit: usize) -> usize {
    limit.max(32)
}

#[tokio::test(start_paused = true)]
#[cfg_attr(miri, ignore = "too slow: 1,000 tasks through a limit of 2")]
async fn waiting_spawn_holds_the_producer_back_when_the_backlog_is_full() {
    let limit = 2;
    let group = Builder::new().limit(limit).build::<()>();
    let started = LiveCounter::default();
    let mut most_waiting = 0;
    for spawned in 1..=1_000 {
        group
            .spawn_with_backpressure(busy(started.clone(), 10))
            .await;
        // Every spawned task either started or waits for a slot in the queue.
        most_waiting = most_waiting.max(spawned - started.started());
    }
    group.wait().await.expect("every task succeeds");
    assert_eq!(started.most(), limit);
    assert_eq!(
        most_waiting,
        queue_room(limit) + limit,
        "the producer ran ahead by the queue and the tasks just handed to a worker, no more"
    );
}

#[tokio::test(start_paused = true)]
async fn waiting_for_room_ends_when_the_group_is_cancelled() {
    let limit = 1;
    let group = Builder::new().limit(limit).build::<()>();
    // One task holds the slot until the group is cancelled; the queue fills up behind it.
    let token = group.token().clone();
    group.spawn(async move {
        token.cancelled().await;
        Ok(())
    });
    let ran = LiveCounter::default();
    for _ in 0..queue_room(limit) {
        group.spawn(busy(ran.clone(), 1));
    }
    let token = group.token().clone();
    tokio::spawn(async move {
        tokio::time::sleep(ms(50)).await;
        token.cancel();
    });

    let started = Instant::now();
    // Would wait forever without the cancellation.
    group.spawn_with_backpressure(busy(ran.clone(), 1)).await;
    assert_eq!(started.elapsed(), ms(50));

    assert_eq!(
        group.wait().await.unwrap_err(),
        Error::Cancelled {
            cause: Cause::TokenCancelled
        }
    );
    assert_eq!(
        ran.started(),
        0,
        "the queued tasks never ran: the group was cancelled first"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_task_frees_its_slot() {
    let group = Builder::new().limit(1).build();
    group.spawn(async { Err::<(), _>("boom") });
    // The slot is free again (and the task is skipped, as the group is cancelled).
    group.spawn(pending::<Result<(), _>>());
    assert!(matches!(
        hang_guard("wait", group.wait()).await,
        Err(Error::Task { error: "boom", .. })
    ));
}

#[test]
#[should_panic(expected = "a group's limit must be at least 1")]
fn limit_of_zero_panics() {
    let _ = Builder::new().limit(0);
}

#[tokio::test(start_paused = true)]
async fn a_limit_of_usize_max_runs_every_task() {
    let group = Builder::new().limit(usize::MAX).build::<()>();
    let counter = LiveCounter::default();
    for _ in 0..100 {
        group.spawn(busy(counter.clone(), 10));
    }
    group
        .spawn_with_backpressure(busy(counter.clone(), 10))
        .await;
    group
        .try_spawn(busy(counter.clone(), 10))
        .expect("far from full");
    group.wait().await.expect("every task succeeds");
    assert_eq!(counter.started(), 102);
    assert_eq!(
        counter.most(),
        102,
        "all at once: the limit is never reached"
    );
}

#[tokio::test(start_paused = true)]
async fn dropping_the_group_drops_running_and_queued_tasks() {
    let group = Builder::new().limit(2).build::<()>();
    let captured = LiveCounter::default();
    let ran = LiveCounter::default();
    for _ in 0..10 {
        let alive = captured.enter();
        let ran = ran.clone();
        group.spawn(async move {
            let _alive = alive;
            let _running = ran.enter();
            pending::<Result<(), ()>>().await
        });
    }
    tokio::task::yield_now().await;
    assert_eq!(ran.started(), 2);

    drop(group);
    hang_guard("dropping the tasks", captured.none_live()).await;
    assert_eq!(ran.started(), 2, "the queued tasks never started");
}

#[tokio::test(start_paused = true)]
#[cfg_attr(miri, ignore = "too slow: 10,000 tasks")]
async fn a_worker_whose_tasks_never_wait_lets_other_tasks_run() {
    let group = Builder::new().limit(1).build::<()>();
    let other_ran = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let saw_other = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for _ in 0..10_000 {
        let (other_ran, saw_other) = (Arc::clone(&other_ran), Arc::clone(&saw_other));
        group.spawn(async move {
            if other_ran.load(std::sync::atomic::Ordering::SeqCst) {
                saw_other.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            Ok(()) // ready at once: never yields by itself
        });
    }
    let flag = Arc::clone(&other_ran);
    tokio::spawn(async move { flag.store(true, std::sync::atomic::Ordering::SeqCst) });

    group.wait().await.expect("every task succeeds");
    let saw_other = saw_other.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        saw_other > 0 && saw_other < 10_000,
        "the other task ran between the group's tasks ({saw_other} saw it)"
    );
}

/// How many times the multi-thread tests repeat a race.
const ROUNDS: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "too slow: repeats a race on the multi-thread runtime")]
async fn a_failure_first_in_line_stops_the_queued_tasks_on_the_multi_thread_runtime() {
    for _ in 0..ROUNDS {
        let group = Builder::new().limit(1).build();
        group.spawn(async { Err::<(), _>("fails at once") });
        let ran = LiveCounter::default();
        for _ in 0..5 {
            let ran = ran.clone();
            group.spawn(async move {
                let _running = ran.enter();
                pending::<Result<(), _>>().await // never ends, ignores the token
            });
        }
        let error = hang_guard("wait", group.wait()).await.unwrap_err();
        assert_eq!(error.task_error(), Some(&"fails at once"));
        assert_eq!(ran.started(), 0, "the queued tasks never started");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "too slow: repeats a race on the multi-thread runtime")]
async fn the_limit_holds_on_the_multi_thread_runtime() {
    for limit in [1, 2, 3, 7] {
        for _ in 0..ROUNDS / 5 {
            let group = Builder::new().limit(limit).build();
            let counter = LiveCounter::default();
            let handle = group.handle();
            let producer = {
                let counter = counter.clone();
                tokio::spawn(async move {
                    for _ in 0..100 {
                        handle
                            .spawn_with_backpressure(yielding(counter.clone()))
                            .await
                            .expect("the group waits for the producer");
                    }
                })
            };
            for _ in 0..100 {
                group.spawn(yielding(counter.clone()));
                let _ = group.try_spawn(yielding(counter.clone()));
            }
            producer.await.expect("the producer ends");
            hang_guard("wait", group.wait())
                .await
                .expect("every task succeeds");
            assert!(counter.most() <= limit, "{} ran at once", counter.most());
            assert!(counter.started() >= 200);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "too slow: repeats a race on the multi-thread runtime")]
async fn a_panic_in_a_limited_group_leaves_the_queue_to_a_worker_on_the_multi_thread_runtime() {
    for _ in 0..ROUNDS {
        let group = Builder::new().limit(1).build::<()>();
        group.spawn(async { panic!("task exploded") as Result<(), ()> });
        let captured = LiveCounter::default();
        for _ in 0..3 {
            let alive = captured.enter();
            group.spawn(async move {
                let _alive = alive;
                Ok(())
            });
        }
        let waited = hang_guard("wait", tokio::spawn(group.wait())).await;
        assert_eq!(
            panic_message(waited.unwrap_err().into_panic()),
            "task exploded"
        );
        assert_eq!(
            captured.live(),
            0,
            "every queued task was taken by the worker and dropped as cancelled"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "too slow: repeats a race on the multi-thread runtime")]
async fn a_caught_panic_in_a_limited_group_leaves_the_queue_to_a_worker_on_the_multi_thread_runtime()
 {
    for _ in 0..ROUNDS {
        let group = Builder::new().limit(2).catch_panics().build::<()>();
        let panicking = group.spawn(async { panic!("task exploded") as Result<(), ()> });
        let captured = LiveCounter::default();
        for _ in 0..5 {
            let alive = captured.enter();
            group.spawn(async move {
                let _alive = alive;
                tokio::task::yield_now().await;
                Ok(())
            });
        }
        let error = hang_guard("wait", group.wait()).await.unwrap_err();
        assert_eq!(
            error,
            Error::Panicked {
                task: panicking.id(),
                message: "task exploded".to_owned()
            }
        );
        assert_eq!(captured.live(), 0, "every queued task ran or was dropped");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "too slow: repeats a race on the multi-thread runtime")]
async fn dropping_a_limited_group_drops_running_and_queued_tasks_on_the_multi_thread_runtime() {
    for _ in 0..ROUNDS {
        let group = Builder::new().limit(2).build::<()>();
        let captured = LiveCounter::default();
        for _ in 0..10 {
            let alive = captured.enter();
            group.spawn(async move {
                let _alive = alive;
                pending::<Result<(), ()>>().await
            });
        }
        tokio::task::yield_now().await;
        drop(group);
        hang_guard("dropping the tasks", captured.none_live()).await;
    }
}
