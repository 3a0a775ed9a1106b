//! `Scope`: tasks that borrow from the caller, with a group's contracts. The contracts that
//! involve wakers run on both runtime flavors; those that involve time run on a paused clock.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::future::{Future, pending, poll_fn};
use std::panic::{self, AssertUnwindSafe};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use errgroup::{CancellationToken, Cause, Error, Scope};
use tokio::runtime;
use tokio::sync::oneshot;
use tokio::sync::oneshot::error::TryRecvError;
use tokio::time::{Instant, sleep};

/// A task of any type, for scopes that mix tasks.
type Task<'a> = Pin<Box<dyn Future<Output = Result<(), &'static str>> + 'a>>;

/// Runs `contract` on a current-thread runtime, then 100 times on a runtime with two workers,
/// where the tasks are woken from the workers while `block_on` polls the scope.
fn on_both_runtimes<F: Future<Output = ()>>(contract: impl Fn() -> F) {
    let current = runtime::Builder::new_current_thread().enable_all().build();
    current.expect("a runtime").block_on(contract());
    let mut multi = runtime::Builder::new_multi_thread();
    let multi = multi
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    for _ in 0..100 {
        multi.block_on(contract());
    }
}

/// Waits until another runtime task, on a worker thread of a multi-thread runtime, wakes it.
/// It yields at least once, even if that task was quicker than its caller.
async fn woken_by_another_task() {
    let (wake, woken) = oneshot::channel();
    tokio::spawn(async move { wake.send(()) });
    tokio::task::yield_now().await;
    woken.await.expect("the waker task sends");
}

/// Runs `future`, catching a panic in any of its polls.
async fn catch_unwind<T>(future: impl Future<Output = T>) -> Result<T, Box<dyn Any + Send>> {
    let mut future = pin!(future);
    poll_fn(
        |cx| match panic::catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(poll) => poll.map(Ok),
            Err(payload) => Poll::Ready(Err(payload)),
        },
    )
    .await
}

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

#[tokio::test]
async fn borrows_a_local_vec_and_mut_slices_split_across_tasks() {
    let words: Vec<String> = ["a", "bb", "ccc"].into_iter().map(String::from).collect();
    let mut lengths = [0; 3];
    let mut scope = Scope::new();
    for (word, length) in words.iter().zip(lengths.chunks_mut(1)) {
        scope.spawn(async move {
            tokio::task::yield_now().await;
            length[0] = word.len();
            Ok::<_, ()>(word.as_str())
        });
    }
    assert_eq!(scope.wait().await, Ok(vec!["a", "bb", "ccc"]));
    assert_eq!(lengths, [1, 2, 3]);
}

#[tokio::test]
async fn runs_tasks_that_are_not_send() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut scope = Scope::new();
    for task in 0..3 {
        let log = Rc::clone(&log);
        scope.spawn(async move {
            log.borrow_mut().push(task);
            tokio::task::yield_now().await; // holds the `Rc` across an await: not `Send`
            log.borrow_mut().push(task + 10);
            Ok::<_, ()>(task)
        });
    }
    assert_eq!(scope.wait().await, Ok(vec![0, 1, 2]));
    let log = log.borrow();
    assert!(
        log[..3].iter().all(|&entry| entry < 10),
        "not concurrent: {log:?}"
    );
}

#[test]
#[cfg_attr(miri, ignore = "too slow: runs 100 times on a multi-thread runtime")]
fn first_error_cancels_the_token_and_wait_returns_it_after_every_task_ended() {
    on_both_runtimes(|| async {
        let (token, ended) = (CancellationToken::new(), Cell::new(0));
        let mut scope: Scope<Task<'_>> = Scope::with_token(&token);
        for _ in 0..100 {
            scope.spawn(Box::pin(async {
                token.cancelled().await;
                ended.set(ended.get() + 1);
                Err("cancelled")
            }));
        }
        let failing = scope.spawn(Box::pin(async {
            woken_by_another_task().await;
            Err("boom")
        }));
        let error = scope.wait().await.unwrap_err();
        assert_eq!(
            error,
            Error::Task {
                task: failing,
                error: "boom"
            }
        );
        assert_eq!(ended.get(), 100);
        assert!(token.is_cancelled());
    });
}

#[test]
#[cfg_attr(miri, ignore = "too slow: runs 100 times on a multi-thread runtime")]
fn limit_polls_at_most_that_many_tasks_at_once_in_spawn_order() {
    on_both_runtimes(|| async {
        let (running, most, started) = (Cell::new(0), Cell::new(0), RefCell::new(Vec::new()));
        let mut scope = Scope::new().limit(2);
        for task in 0..10 {
            let (running, most, started) = (&running, &most, &started);
            scope.spawn(async move {
                started.borrow_mut().push(task);
                running.set(running.get() + 1);
                most.set(most.get().max(running.get()));
                woken_by_another_task().await;
                running.set(running.get() - 1);
                Ok::<_, ()>(task * 10)
            });
        }
        assert_eq!(
            scope.wait().await,
            Ok((0..10).map(|task| task * 10).collect())
        );
        assert_eq!(most.get(), 2);
        assert_eq!(*started.borrow(), (0..10).collect::<Vec<_>>());
    });
}

#[test]
#[cfg_attr(miri, ignore = "too slow: runs 100 times on a multi-thread runtime")]
fn deadline_cancels_the_token_and_fails_wait() {
    on_both_runtimes(|| async {
        let (token, ended) = (CancellationToken::new(), Cell::new(0));
        let mut scope = Scope::with_token(&token).timeout(Duration::ZERO);
        for _ in 0..3 {
            scope.spawn(async {
                token.cancelled().await;
                ended.set(ended.get() + 1);
                Err::<(), _>("cancelled")
            });
        }
        let error = scope.wait().await.unwrap_err();
        assert_eq!(
            error,
            Error::DeadlineExceeded {
                timeout: Duration::ZERO
            }
        );
        assert_eq!(ended.get(), 3);
    });
}

#[test]
#[cfg_attr(miri, ignore = "too slow: runs 100 times on a multi-thread runtime")]
fn panic_resumes_at_wait_after_the_other_tasks_are_dropped() {
    on_both_runtimes(|| async {
        let (alive, mut alive_until) = oneshot::channel::<()>();
        let mut scope: Scope<Task<'_>> = Scope::new();
        let token = scope.token().clone();
        scope.spawn(Box::pin(async move {
            let _alive = alive;
            pending().await
        }));
        scope.spawn(Box::pin(async {
            woken_by_another_task().await;
            panic!("boom")
        }));
        let payload = catch_unwind(scope.wait()).await.unwrap_err();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
        assert_eq!(alive_until.try_recv(), Err(TryRecvError::Closed));
        assert!(token.is_cancelled());
    });
}

#[test]
#[cfg_attr(miri, ignore = "too slow: runs 100 times on a multi-thread runtime")]
fn dropping_the_wait_future_drops_every_task_and_cancels_the_token() {
    on_both_runtimes(|| async {
        let started = Cell::new(0);
        let mut dropped = Vec::new();
        let mut scope = Scope::new().limit(1);
        let token = scope.token().clone();
        for _ in 0..2 {
            let (alive, alive_until) = oneshot::channel::<()>();
            dropped.push(alive_until);
            let started = &started;
            scope.spawn(async move {
                let _alive = alive;
                started.set(started.get() + 1);
                woken_by_another_task().await;
                pending::<Result<(), ()>>().await
            });
        }
        let mut wait = Box::pin(scope.wait());
        poll_fn(|cx| {
            assert!(wait.as_mut().poll(cx).is_pending());
            Poll::Ready(())
        })
        .await;
        assert_eq!(started.get(), 1, "the limit holds the second task back");
        drop(wait);
        for mut alive_until in dropped {
            assert_eq!(alive_until.try_recv(), Err(TryRecvError::Closed));
        }
        assert!(token.is_cancelled());
    });
}

#[test]
#[cfg_attr(miri, ignore = "too slow: runs 100 times on a multi-thread runtime")]
fn parent_cancellation_cancels_the_scope_and_is_its_cause() {
    on_both_runtimes(|| async {
        let parent = CancellationToken::new();
        let mut scope = Scope::with_parent(&parent);
        let token = scope.token().clone(); // owned by the task: it cannot borrow the scope's
        scope.spawn(async move {
            token.cancelled().await;
            Err::<(), _>("cancelled")
        });
        let cancel = parent.clone();
        tokio::spawn(async move { cancel.cancel() });
        let error = scope.wait().await.unwrap_err();
        assert_eq!(
            error,
            Error::Cancelled {
                cause: Cause::ParentCancelled
            }
        );
    });
}

#[tokio::test]
async fn a_failing_scope_leaves_its_parent_alone() {
    let parent = CancellationToken::new();
    let mut scope = Scope::with_parent(&parent);
    let token = scope.token().clone();
    scope.spawn(async { Err::<(), _>("boom") });
    assert!(scope.wait().await.is_err());
    assert!(token.is_cancelled());
    assert!(!parent.is_cancelled());
}

#[tokio::test]
async fn a_token_cancelled_before_wait_runs_no_task() {
    let started = Cell::new(false);
    let mut scope = Scope::new();
    scope.spawn(async {
        started.set(true);
        Ok::<_, ()>(())
    });
    scope.token().cancel();
    let error = scope.wait().await.unwrap_err();
    assert_eq!(
        error,
        Error::Cancelled {
            cause: Cause::TokenCancelled
        }
    );
    assert!(!started.get());
}

#[tokio::test]
async fn an_outside_cancellation_drops_the_tasks_waiting_for_a_slot() {
    let (started, token) = (Cell::new(0), CancellationToken::new());
    let mut scope = Scope::with_token(&token).limit(1);
    for _ in 0..3 {
        scope.spawn(async {
            started.set(started.get() + 1);
            token.cancel();
            Ok::<_, ()>(())
        });
    }
    let error = scope.wait().await.unwrap_err();
    assert_eq!(
        error,
        Error::Cancelled {
            cause: Cause::TokenCancelled
        }
    );
    assert_eq!(started.get(), 1);
}

#[tokio::test]
async fn tasks_that_succeed_after_an_outside_cancellation_keep_their_values() {
    let token = CancellationToken::new();
    let mut scope = Scope::with_token(&token);
    for task in 0..2 {
        let token = &token;
        scope.spawn(async move {
            match task {
                0 => token.cancel(),
                _ => token.cancelled().await,
            }
            Ok::<_, ()>(task)
        });
    }
    assert_eq!(scope.wait().await, Ok(vec![0, 1]));
}

#[tokio::test]
async fn a_failure_drops_the_tasks_waiting_for_a_slot_unpolled() {
    let started = Cell::new(0);
    let mut scope = Scope::new().limit(1);
    for _ in 0..3 {
        scope.spawn(async {
            started.set(started.get() + 1);
            Err::<(), _>("boom")
        });
    }
    let error = scope.wait().await.unwrap_err();
    assert_eq!(error.task_error(), Some(&"boom"));
    assert_eq!(started.get(), 1);
}

#[tokio::test]
async fn wait_cancels_the_token_when_it_returns() {
    let mut scope = Scope::new();
    let token = scope.token().clone();
    scope.spawn(async { Ok::<_, ()>(()) });
    assert_eq!(scope.wait().await, Ok(vec![()]));
    assert!(token.is_cancelled());
}

#[test]
fn dropping_a_scope_drops_its_tasks_unpolled_and_cancels_the_token() {
    let (alive, mut alive_until) = oneshot::channel::<()>();
    let mut scope = Scope::new();
    let token = scope.token().clone();
    scope.spawn(async move {
        let _alive = alive;
        Ok::<_, ()>(())
    });
    drop(scope);
    assert_eq!(alive_until.try_recv(), Err(TryRecvError::Closed));
    assert!(token.is_cancelled());
}

#[tokio::test(start_paused = true)]
async fn values_come_back_in_spawn_order() {
    let mut scope = Scope::new();
    let ids: Vec<_> = [30, 10, 20]
        .into_iter()
        .map(|millis| {
            scope.spawn(async move {
                sleep(ms(millis)).await;
                Ok::<_, ()>(millis)
            })
        })
        .collect();
    assert_eq!(
        ids.iter().map(|id| id.as_u64()).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    assert_eq!(scope.wait().await, Ok(vec![30, 10, 20]));
}

#[tokio::test(start_paused = true)]
async fn the_first_error_is_the_first_to_complete_and_wait_still_waits_for_the_rest() {
    let started = Instant::now();
    let mut scope = Scope::new();
    let mut ids = Vec::new();
    for (millis, result) in [(30, Ok(())), (20, Err("second")), (10, Err("first"))] {
        ids.push(scope.spawn(async move {
            sleep(ms(millis)).await; // ignores the token
            result
        }));
    }
    let error = scope.wait().await.unwrap_err();
    assert_eq!(
        error,
        Error::Task {
            task: ids[2],
            error: "first"
        }
    );
    assert_eq!(started.elapsed(), ms(30));
}

#[tokio::test(start_paused = true)]
async fn a_deadline_after_a_failure_does_not_replace_it() {
    let started = Instant::now();
    let mut scope = Scope::new().timeout(ms(1000));
    let mut ids = Vec::new();
    for (millis, result) in [(100, Err("boom")), (2000, Ok(()))] {
        ids.push(scope.spawn(async move {
            sleep(ms(millis)).await; // ignores the token
            result
        }));
    }
    let failed = Error::Task {
        task: ids[0],
        error: "boom",
    };
    assert_eq!(scope.wait().await, Err(failed));
    assert_eq!(started.elapsed(), ms(2000));
}

#[tokio::test(start_paused = true)]
async fn the_deadline_counts_from_the_timeout_call() {
    let started = Instant::now();
    let token = CancellationToken::new();
    let mut scope = Scope::with_token(&token).timeout(ms(1000));
    for millis in [100, u64::MAX] {
        let token = &token;
        scope.spawn(async move {
            tokio::select! {
                () = sleep(ms(millis)) => Ok(()),
                () = token.cancelled() => Err("cancelled"),
            }
        });
    }
    sleep(ms(400)).await;
    let error = scope.wait().await.unwrap_err();
    assert_eq!(error, Error::DeadlineExceeded { timeout: ms(1000) });
    assert_eq!(started.elapsed(), ms(1000));
}

#[tokio::test(start_paused = true)]
async fn a_deadline_at_an_instant_reports_the_time_that_was_left() {
    let token = CancellationToken::new();
    let mut scope = Scope::with_token(&token).deadline(Instant::now() + ms(2000));
    scope.spawn(async {
        token.cancelled().await;
        Ok::<_, ()>(())
    });
    let error = scope.wait().await.unwrap_err();
    assert_eq!(error, Error::DeadlineExceeded { timeout: ms(2000) });
}

#[tokio::test(start_paused = true)]
async fn tasks_that_end_before_the_deadline_succeed() {
    let started = Instant::now();
    let mut scope = Scope::new().timeout(ms(1000));
    scope.spawn(async {
        sleep(ms(500)).await;
        Ok::<_, ()>(7)
    });
    assert_eq!(scope.wait().await, Ok(vec![7]));
    assert_eq!(started.elapsed(), ms(500));
}

#[tokio::test(start_paused = true)]
async fn a_timeout_too_large_to_represent_means_no_deadline() {
    let mut scope = Scope::new().timeout(Duration::MAX);
    scope.spawn(async {
        sleep(Duration::from_secs(86_400)).await;
        Ok::<_, ()>(())
    });
    assert_eq!(scope.wait().await, Ok(vec![()]));
}

#[test]
#[should_panic(expected = "limit must be at least 1")]
fn a_limit_of_zero_panics() {
    let _ = Scope::<std::future::Ready<Result<(), ()>>>::new().limit(0);
}

#[test]
#[should_panic(expected = "before spawning")]
fn a_limit_set_after_spawning_panics() {
    let mut scope = Scope::new();
    scope.spawn(std::future::ready(Ok::<_, ()>(())));
    let _ = scope.limit(1);
}

#[test]
#[should_panic(expected = "no reactor running")]
fn a_timeout_outside_a_runtime_panics() {
    let _ = Scope::<std::future::Ready<Result<(), ()>>>::new().timeout(ms(1));
}
