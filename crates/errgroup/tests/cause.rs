//! Behaviour of `Cause`: why the group's token was cancelled, as tasks and the owner see it.

mod common;

use std::time::Duration;

use common::{after, ms};
use errgroup::{Builder, Cause, Error, Group};
use tokio_util::sync::CancellationToken;

/// Spawns a task that waits for the token and returns the cause it then sees.
fn spawn_cause_watcher<E: Send + 'static>(group: &Group<E>) -> errgroup::TaskHandle<Option<Cause>> {
    let handle = group.handle();
    group.spawn(async move {
        handle.token().cancelled().await;
        Ok(handle.cause())
    })
}

#[tokio::test(start_paused = true)]
async fn no_cause_while_the_token_is_not_cancelled() {
    let group = Group::<()>::new();
    assert_eq!(group.cause(), None);
    assert_eq!(group.handle().cause(), None);
}

#[tokio::test(start_paused = true)]
async fn a_failing_task_is_the_cause_and_stays_the_cause_after_wait() {
    let group = Group::new();
    let handle = group.handle();
    group.spawn(after::<(), _>(10, Err("boom")));
    assert!(group.wait().await.is_err());
    assert_eq!(handle.cause(), Some(Cause::TaskFailed));
}

#[tokio::test(start_paused = true)]
async fn a_panicking_task_is_the_cause() {
    let group = Group::<()>::new();
    let handle = group.handle();
    group.spawn(async { panic!("boom") as Result<(), ()> });
    assert!(tokio::spawn(group.wait()).await.is_err());
    assert_eq!(handle.cause(), Some(Cause::TaskPanicked));
}

#[tokio::test(start_paused = true)]
async fn tasks_learn_that_the_parent_was_cancelled() {
    let parent = CancellationToken::new();
    let group = Group::<()>::with_parent(&parent);
    let seen = spawn_cause_watcher(&group);
    tokio::task::yield_now().await;

    parent.cancel();
    let outputs = group.wait().await.expect("the watcher succeeds");
    assert_eq!(outputs.take(seen), Some(Cause::ParentCancelled));
}

#[tokio::test(start_paused = true)]
async fn tasks_learn_that_someone_cancelled_the_token() {
    let group = Group::<()>::new();
    let seen = spawn_cause_watcher(&group);
    tokio::task::yield_now().await;

    group.token().cancel();
    assert_eq!(
        group.wait().await.expect("the watcher succeeds").take(seen),
        Some(Cause::TokenCancelled)
    );
}

#[tokio::test(start_paused = true)]
async fn tasks_learn_that_the_deadline_passed() {
    let group = Builder::new().timeout(ms(100)).build::<()>();
    let handle = group.handle();
    group.spawn(async move {
        handle.token().cancelled().await;
        // A failed assertion here resumes at `wait`, and fails the test.
        assert_eq!(handle.cause(), Some(Cause::DeadlineExceeded));
        Ok(())
    });
    assert_eq!(
        group.wait().await.unwrap_err(),
        Error::DeadlineExceeded { timeout: ms(100) }
    );
}

#[tokio::test(start_paused = true)]
async fn a_task_lost_with_its_runtime_is_the_cause() {
    let group = Group::<()>::new();
    let handle = group.handle();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    {
        let _entered = runtime.enter();
        group.spawn(async { Ok(()) }); // never polled: its runtime goes away
    }
    // A runtime cannot be dropped inside another one's context: drop it on a thread.
    std::thread::spawn(move || drop(runtime))
        .join()
        .expect("the runtime shuts down");
    assert_eq!(handle.cause(), Some(Cause::TaskLost));
    assert_eq!(
        group.wait().await.unwrap_err(),
        Error::Cancelled {
            cause: Cause::TaskLost
        }
    );
}

#[tokio::test(start_paused = true)]
async fn a_shutdown_is_the_cause() {
    let group = Group::<()>::new();
    let handle = group.handle();
    let seen = spawn_cause_watcher(&group);
    tokio::task::yield_now().await;

    let shutdown = group.shutdown(Duration::from_secs(1)).await;
    assert_eq!(
        shutdown.result.expect("the watcher succeeds").take(seen),
        Some(Cause::ShutDown)
    );
    assert_eq!(handle.cause(), Some(Cause::ShutDown));
}

#[tokio::test(start_paused = true)]
async fn the_end_of_wait_is_the_cause_when_nothing_failed() {
    let group = Group::<()>::new();
    let handle = group.handle();
    group.spawn(after(10, Ok(())));
    group.wait().await.expect("the task succeeds");
    assert_eq!(handle.cause(), Some(Cause::Finished));
}

#[tokio::test(start_paused = true)]
async fn dropping_the_group_is_the_cause() {
    let group = Group::<()>::new();
    let handle = group.handle();
    drop(group);
    assert_eq!(handle.cause(), Some(Cause::Dropped));
}

#[tokio::test(start_paused = true)]
async fn dropping_the_wait_future_is_the_cause() {
    let group = Group::<()>::new();
    let handle = group.handle();
    group.spawn(std::future::pending::<Result<(), ()>>());
    assert!(tokio::time::timeout(ms(10), group.wait()).await.is_err());
    assert_eq!(handle.cause(), Some(Cause::Dropped));
}

#[tokio::test(start_paused = true)]
async fn an_outside_cancellation_stays_the_cause_after_wait() {
    let parent = CancellationToken::new();
    let group = Group::<()>::with_parent(&parent);
    let handle = group.handle();
    parent.cancel();
    let _ = group.wait().await;
    assert_eq!(handle.cause(), Some(Cause::ParentCancelled));
}

#[tokio::test(start_paused = true)]
async fn the_first_outside_cause_sticks_when_the_parent_is_cancelled_later() {
    let parent = CancellationToken::new();
    let group = Group::<()>::with_parent(&parent);
    group.token().cancel();
    assert_eq!(group.cause(), Some(Cause::TokenCancelled));

    parent.cancel();
    assert_eq!(group.cause(), Some(Cause::TokenCancelled));
    let handle = group.handle();
    let _ = group.wait().await;
    assert_eq!(handle.cause(), Some(Cause::TokenCancelled));
}

#[tokio::test(start_paused = true)]
async fn a_failure_after_an_outside_cancellation_does_not_change_the_cause() {
    let group = Group::new();
    let handle = group.handle();
    group.spawn(after::<(), _>(10, Err("failed after the cancel")));
    tokio::task::yield_now().await;
    group.token().cancel();
    assert_eq!(
        group.wait().await.unwrap_err(),
        Error::Cancelled {
            cause: Cause::TokenCancelled
        }
    );
    assert_eq!(handle.cause(), Some(Cause::TokenCancelled));
}

#[test]
fn every_cause_displays_as_a_lowercase_sentence() {
    let causes = [
        (Cause::TaskFailed, "a task failed"),
        (Cause::TaskPanicked, "a task panicked"),
        (Cause::TaskLost, "a task was dropped before it ended"),
        (Cause::ParentCancelled, "the parent token was cancelled"),
        (Cause::TokenCancelled, "the group's token was cancelled"),
        (Cause::DeadlineExceeded, "the deadline passed"),
        (Cause::ShutDown, "the group was shut down"),
        (Cause::Finished, "the group finished"),
        (Cause::Dropped, "the group was dropped"),
    ];
    for (cause, text) in causes {
        assert_eq!(cause.to_string(), text);
    }
}
