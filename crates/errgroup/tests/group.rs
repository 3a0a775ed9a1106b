//! Behaviour of `Group`: waiting, first error, cancellation, panics and drop.

mod common;

use std::future::{Future, pending};
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use common::{LiveCounter, after, counted, fails_when_cancelled, hang_guard, ms, panic_message};
use errgroup::{Builder, Cause, Error, Group};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

#[tokio::test(start_paused = true)]
async fn waits_for_zero_tasks() {
    let group = Group::<()>::new();
    assert!(group.wait().await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn returns_every_value_when_all_succeed() {
    let group = Group::<()>::new();
    let text = group.spawn(after(30, Ok("text")));
    let number = group.spawn(after(10, Ok(7_u64)));
    let list = group.spawn(after(20, Ok(vec![1, 2])));

    let outputs = group.wait().await.expect("every task succeeds");
    assert_eq!(outputs.take(text), "text");
    assert_eq!(outputs.take(number), 7);
    assert_eq!(outputs.take(list), [1, 2]);
}

#[tokio::test(start_paused = true)]
async fn returns_first_error_by_completion_time_not_spawn_order() {
    let started = Instant::now();
    let group = Group::new();
    group.spawn(after::<(), _>(30, Err("spawned first, fails last")));
    group.spawn(after::<(), _>(10, Err("spawned second, fails first")));
    group.spawn(after::<(), _>(20, Err("spawned last, fails second")));

    let error = group.wait().await.unwrap_err();
    assert!(matches!(
        error,
        Error::Task {
            error: "spawned second, fails first",
            ..
        }
    ));
    assert_eq!(
        started.elapsed(),
        ms(30),
        "wait also waited for the tasks that failed later"
    );
}

#[tokio::test(start_paused = true)]
async fn errors_caused_by_the_cancellation_never_replace_the_root_error() {
    let group = Group::new();
    group.spawn(fails_when_cancelled::<()>(group.token().clone()));
    group.spawn(after::<(), _>(10, Err("root cause")));

    assert!(matches!(
        group.wait().await,
        Err(Error::Task {
            error: "root cause",
            ..
        })
    ));
}

#[tokio::test(start_paused = true)]
async fn waits_for_slow_tasks_that_ignore_the_token() {
    let started = Instant::now();
    let group = Group::new();
    let stubborn = LiveCounter::default();
    let alive = stubborn.enter();
    group.spawn(async move {
        let _alive = alive;
        after(5_000, Ok(())).await // never looks at the token
    });
    group.spawn(after::<(), _>(100, Err("fails early")));

    assert!(group.wait().await.is_err());
    assert_eq!(started.elapsed(), ms(5_000));
    assert_eq!(stubborn.live(), 0);
}

#[tokio::test(start_paused = true)]
async fn cancels_token_on_first_error() {
    let started = Instant::now();
    let group = Group::new();
    let token = group.token().clone();
    group.spawn(after::<(), _>(10, Err("boom")));
    group.spawn(after::<(), _>(1_000, Ok(())));

    token.cancelled().await;
    assert_eq!(
        started.elapsed(),
        ms(10),
        "cancelled when the task failed, not when the slow one ended"
    );
    assert!(group.wait().await.is_err());
}

#[tokio::test(start_paused = true)]
async fn cancels_token_when_wait_completes() {
    let group = Group::<()>::new();
    let token = group.token().clone();
    group.spawn(after(10, Ok(())));
    assert!(!token.is_cancelled());

    group.wait().await.expect("the task succeeds");
    assert!(token.is_cancelled());
}

#[tokio::test(start_paused = true)]
async fn cancels_token_on_drop() {
    let group = Group::<()>::new();
    let token = group.token().clone();
    drop(group);
    assert!(token.is_cancelled());
}

#[tokio::test(start_paused = true)]
async fn parent_cancellation_cancels_the_group_and_wait_reports_it() {
    let parent = CancellationToken::new();
    let group = Group::with_parent(&parent);
    group.spawn(fails_when_cancelled::<()>(group.token().clone()));
    tokio::task::yield_now().await;

    parent.cancel();
    assert!(group.token().is_cancelled());
    assert_eq!(
        group.wait().await.unwrap_err(),
        Error::Cancelled {
            cause: Cause::ParentCancelled
        }
    );
}

#[tokio::test(start_paused = true)]
async fn group_failure_does_not_cancel_the_parent() {
    let parent = CancellationToken::new();
    let group = Group::with_parent(&parent);
    group.spawn(async { Err::<(), _>("boom") });

    assert!(group.wait().await.is_err());
    assert!(!parent.is_cancelled());
}

#[tokio::test(start_paused = true)]
async fn task_spawned_after_cancellation_never_runs() {
    let group = Group::new();
    group.spawn(async { Err::<(), _>("boom") });
    group.token().cancelled().await;

    let ran = LiveCounter::default();
    group.spawn(counted(&ran));

    assert!(matches!(
        group.wait().await,
        Err(Error::Task { error: "boom", .. })
    ));
    assert_eq!(ran.started(), 0);
}

#[tokio::test(start_paused = true)]
async fn task_skipped_by_an_outside_cancellation_makes_wait_fail() {
    let group = Group::<()>::new();
    group.token().cancel();
    group.spawn(async { Ok(()) });

    assert_eq!(
        group.wait().await.unwrap_err(),
        Error::Cancelled {
            cause: Cause::TokenCancelled
        }
    );
}

#[tokio::test(start_paused = true)]
async fn outside_cancellation_does_not_fail_tasks_that_all_succeeded() {
    let group = Group::<()>::new();
    let value = group.spawn(after(10, Ok(1)));
    tokio::task::yield_now().await;
    group.token().cancel(); // the task ignores it and still delivers its value

    assert_eq!(group.wait().await.expect("no task failed").take(value), 1);
}

#[tokio::test(start_paused = true)]
async fn panic_cancels_siblings_and_resumes_at_wait() {
    let group = Group::<()>::new();
    let siblings = spawn_token_watchers(&group, 3);
    group.spawn(async { panic!("task exploded") as Result<(), ()> });

    let waited = tokio::spawn(group.wait()).await;
    let payload = waited.unwrap_err().into_panic();
    assert_eq!(panic_message(payload), "task exploded");
    assert_eq!(
        siblings.live(),
        0,
        "the siblings saw the token and ended before the panic resumed"
    );
}

#[tokio::test(start_paused = true)]
async fn panic_is_not_swallowed_by_an_earlier_error() {
    let group = Group::<()>::new();
    group.spawn(after::<(), _>(5, Err(())));
    group.spawn(async {
        tokio::time::sleep(ms(10)).await; // ignores the token the error cancelled
        panic!("later panic") as Result<(), ()>
    });

    let payload = tokio::spawn(group.wait()).await.unwrap_err().into_panic();
    assert_eq!(panic_message(payload), "later panic");
}

#[tokio::test(start_paused = true)]
async fn dropping_the_group_aborts_a_task_that_ignores_the_token() {
    let group = Group::<()>::new();
    let (dropped_tx, dropped_rx) = tokio::sync::oneshot::channel::<()>();
    group.spawn(async move {
        let _dropped_on_abort = dropped_tx;
        pending::<()>().await; // never looks at the token, never ends by itself
        Ok(())
    });
    tokio::task::yield_now().await;

    drop(group);
    // The sender is dropped with the aborted task: the receiver sees it closed.
    assert!(dropped_rx.await.is_err());
}

#[tokio::test(start_paused = true)]
async fn dropping_the_wait_future_aborts_every_task() {
    let group = Group::<()>::new();
    let tasks = LiveCounter::default();
    for _ in 0..10 {
        let alive = tasks.enter();
        group.spawn(async move {
            let _alive = alive;
            pending::<()>().await;
            Ok(())
        });
    }

    let timed_out = tokio::time::timeout(ms(100), group.wait()).await;
    assert!(timed_out.is_err());
    hang_guard("dropping the aborted tasks", tasks.none_live()).await;
}

#[tokio::test(start_paused = true)]
#[cfg_attr(miri, ignore = "too slow: 100,000 tasks")]
async fn completes_100_000_tasks() {
    let group = Group::<()>::new();
    let handles: Vec<_> = (0..100_000_u64)
        .map(|n| group.spawn(async move { Ok(n) }))
        .collect();

    let outputs = group.wait().await.expect("every task succeeds");
    let sum: u64 = handles.into_iter().map(|task| outputs.take(task)).sum();
    assert_eq!(sum, 99_999 * 100_000 / 2);
}

#[tokio::test(start_paused = true)]
#[cfg_attr(miri, ignore = "too slow: 100,000 tasks")]
async fn stops_100_000_cooperative_siblings_after_one_error() {
    let started = Instant::now();
    let group = Group::new();
    let siblings = LiveCounter::default();
    for _ in 0..100_000 {
        let alive = siblings.enter();
        let token = group.token().clone();
        group.spawn(async move {
            let _alive = alive;
            tokio::select! {
                () = token.cancelled() => Err("cancelled"),
                () = tokio::time::sleep(Duration::from_secs(3_600)) => Ok(()),
            }
        });
    }
    group.spawn(after::<(), _>(10, Err("the one failure")));

    assert!(matches!(
        group.wait().await,
        Err(Error::Task {
            error: "the one failure",
            ..
        })
    ));
    assert_eq!(started.elapsed(), ms(10));
    assert_eq!(siblings.live(), 0);
}

#[test]
#[should_panic(expected = "no reactor running")]
fn spawn_outside_a_runtime_panics() {
    let group = Group::<()>::new();
    group.spawn(async { Ok(()) });
}

#[test]
fn a_spawn_that_panicked_outside_a_runtime_leaves_no_trace() {
    for builder in [Builder::new(), Builder::new().limit(1)] {
        for _ in 0..20 {
            let group = builder.clone().build::<()>();
            let refused = panic::catch_unwind(AssertUnwindSafe(|| group.spawn(async { Ok(1) })));
            assert!(refused.is_err(), "no runtime: the spawn panics");

            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("a runtime");
            let sum = runtime.block_on(async {
                let tasks: Vec<_> = (0..3).map(|n| group.spawn(async move { Ok(n) })).collect();
                let outputs = group
                    .wait()
                    .await
                    .expect("the failed spawn left nothing behind");
                tasks
                    .into_iter()
                    .map(|task| outputs.take(task))
                    .sum::<i32>()
            });
            assert_eq!(sum, 3);
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_group_under_an_already_cancelled_parent_starts_cancelled() {
    let parent = CancellationToken::new();
    parent.cancel();
    let group = Group::<()>::with_parent(&parent);
    let ran = LiveCounter::default();
    group.spawn(counted(&ran));

    assert_eq!(
        group.wait().await.unwrap_err(),
        Error::Cancelled {
            cause: Cause::ParentCancelled
        }
    );
    assert_eq!(ran.started(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_task_spawned_right_after_an_outside_cancel_never_runs() {
    let group = Group::<()>::new();
    let ran = LiveCounter::default();
    for _ in 0..100 {
        group.spawn(counted(&ran));
    }
    group.token().cancel(); // before any of them was polled
    assert!(matches!(group.wait().await, Err(Error::Cancelled { .. })));
    assert_eq!(ran.started(), 0);
}

#[test]
fn a_task_dropped_by_its_runtime_shutting_down_makes_wait_fail() {
    let first = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let group = Group::<()>::new();
    {
        let _entered = first.enter();
        group.spawn(async { Ok(1) }); // never polled: its runtime goes away
    }
    drop(first);

    let second = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    assert_eq!(
        second.block_on(group.wait()).unwrap_err(),
        Error::Cancelled {
            cause: Cause::TaskLost
        }
    );
}

/// An error whose destructor panics.
#[derive(Debug)]
struct PanicsOnDrop;

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("error dropped");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_panic_in_a_dropped_errors_destructor_is_not_lost() {
    let group = Group::<Option<PanicsOnDrop>>::new();
    group.spawn(after::<(), _>(10, Err(None))); // the root cause, kept
    group.spawn(after::<(), _>(20, Err(Some(PanicsOnDrop)))); // dropped: a later error

    let payload = tokio::spawn(group.wait()).await.unwrap_err().into_panic();
    assert_eq!(panic_message(payload), "error dropped");
}

/// A future that counts its polls and fails the test past `most` of them: a waiter that spins
/// polls itself again and again instead of sleeping until it is woken.
struct PollCounted<F> {
    future: Pin<Box<F>>,
    polls: usize,
    most: usize,
}

impl<F: Future> PollCounted<F> {
    fn new(future: F, most: usize) -> Self {
        Self {
            future: Box::pin(future),
            polls: 0,
            most,
        }
    }
}

impl<F: Future> Future for PollCounted<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.polls += 1;
        assert!(
            self.polls <= self.most,
            "polled more than {} times: it spins",
            self.most
        );
        self.future.as_mut().poll(cx)
    }
}

#[tokio::test(start_paused = true)]
async fn wait_sleeps_until_the_last_task_ends() {
    let group = Group::<()>::new();
    for millis in 1..=20 {
        group.spawn(after(millis * 100, Ok(())));
    }
    // Polled once to start waiting, and once when the last of the twenty tasks ends; a
    // spurious wake-up or two is allowed, one per task ending is not.
    let waited = PollCounted::new(group.wait(), 4).await;
    assert!(waited.is_ok());
}

#[tokio::test(start_paused = true)]
async fn wait_sleeps_until_the_last_task_of_a_limited_group_ends() {
    let group = errgroup::Builder::new().limit(2).build::<()>();
    for millis in 1..=20 {
        group.spawn(after(millis * 100, Ok(())));
    }
    let waited = PollCounted::new(group.wait(), 4).await;
    assert!(waited.is_ok());
}

/// How many times the multi-thread tests repeat a race.
const ROUNDS: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "too slow: repeats a race on the multi-thread runtime")]
async fn the_root_error_wins_over_the_errors_of_cancelled_siblings_on_the_multi_thread_runtime() {
    for _ in 0..ROUNDS {
        let group = Group::new();
        for _ in 0..4 {
            group.spawn(fails_when_cancelled::<()>(group.token().clone()));
        }
        group.spawn(async { Err::<(), _>("root cause") });
        for _ in 0..4 {
            group.spawn(fails_when_cancelled::<()>(group.token().clone()));
        }
        let error = hang_guard("wait", group.wait()).await.unwrap_err();
        assert_eq!(error.task_error(), Some(&"root cause"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "too slow: repeats a race on the multi-thread runtime")]
async fn the_token_is_cancelled_once_wait_returns_on_the_multi_thread_runtime() {
    for _ in 0..ROUNDS {
        let group = Group::<()>::new();
        let handle = group.handle();
        let token = group.token().clone();
        let values: Vec<_> = (0..8_u32)
            .map(|n| {
                group.spawn(async move {
                    tokio::task::yield_now().await;
                    Ok(n)
                })
            })
            .collect();
        let outputs = hang_guard("wait", group.wait())
            .await
            .expect("no task fails");
        assert!(token.is_cancelled());
        assert_eq!(handle.cause(), Some(Cause::Finished));
        let sum: u32 = values.into_iter().map(|value| outputs.take(value)).sum();
        assert_eq!(sum, 28);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "too slow: repeats a race on the multi-thread runtime")]
async fn dropping_the_group_aborts_every_task_on_the_multi_thread_runtime() {
    for _ in 0..ROUNDS {
        let group = Group::<()>::new();
        let captured = LiveCounter::default();
        for _ in 0..8 {
            let alive = captured.enter();
            group.spawn(async move {
                let _alive = alive;
                pending::<()>().await; // ignores the token
                Ok(())
            });
        }
        tokio::task::yield_now().await;
        drop(group);
        hang_guard("dropping the aborted tasks", captured.none_live()).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "too slow: repeats a race on the multi-thread runtime")]
async fn a_panic_resumes_at_wait_after_every_sibling_ended_on_the_multi_thread_runtime() {
    for _ in 0..ROUNDS {
        let group = Group::<()>::new();
        let siblings = spawn_token_watchers(&group, 4);
        group.spawn(async { panic!("task exploded") as Result<(), ()> });

        let waited = hang_guard("wait", tokio::spawn(group.wait())).await;
        assert_eq!(
            panic_message(waited.unwrap_err().into_panic()),
            "task exploded"
        );
        assert_eq!(siblings.live(), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "too slow: repeats a race on the multi-thread runtime")]
async fn no_task_starts_after_a_failure_on_the_multi_thread_runtime() {
    for _ in 0..ROUNDS {
        let group = Group::new();
        group.spawn(async { Err::<(), _>("boom") });
        group.token().cancelled().await;
        let ran = LiveCounter::default();
        for _ in 0..10 {
            group.spawn(counted(&ran));
        }
        let error = hang_guard("wait", group.wait()).await.unwrap_err();
        assert_eq!(error.task_error(), Some(&"boom"));
        assert_eq!(ran.started(), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "too slow: repeats a race on the multi-thread runtime")]
async fn no_task_starts_after_an_outside_cancel_on_the_multi_thread_runtime() {
    for _ in 0..ROUNDS {
        let group = Group::<()>::new();
        let ran = LiveCounter::default();
        let canceller = {
            let token = group.token().clone();
            tokio::spawn(async move { token.cancel() })
        };
        canceller.await.expect("the canceller ends");
        for _ in 0..10 {
            group.spawn(counted(&ran));
        }
        assert!(hang_guard("wait", group.wait()).await.is_err());
        assert_eq!(ran.started(), 0);
    }
}

/// Spawns `count` tasks that wait for the group's token, each alive in the returned counter
/// until it ends.
fn spawn_token_watchers(group: &Group<()>, count: usize) -> LiveCounter {
    let siblings = LiveCounter::default();
    for _ in 0..count {
        let alive = siblings.enter();
        let token = group.token().clone();
        group.spawn(async move {
            let _alive = alive;
            token.cancelled().await;
            Ok(())
        });
    }
    siblings
}
