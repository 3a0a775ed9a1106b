//! Behaviour of `Error` and `SpawnError`: which task failed, accessors, messages, and `?`.

mod common;

use std::time::Duration;

use common::{after, fails_when_cancelled};
use errgroup::{Builder, Cause, Error, Group, SpawnError, TaskId};

/// The error of the group that runs `tasks` (task errors as strings).
async fn first_error(tasks: Vec<Result<(), &'static str>>) -> Error<&'static str> {
    let group = Group::new();
    for task in tasks {
        group.spawn(async move { task });
    }
    group.wait().await.unwrap_err()
}

#[tokio::test(start_paused = true)]
async fn the_error_says_which_task_failed() {
    let group = Group::new();
    let _fine = group.spawn(after(30, Ok(())));
    let failing = group.spawn(after::<(), _>(10, Err("boom")));

    let Err(Error::Task { task, error }) = group.wait().await else {
        panic!("a task failed")
    };
    assert_eq!((task, error), (failing.id(), "boom"));
}

#[tokio::test(start_paused = true)]
async fn a_caught_panic_becomes_an_error_naming_the_task_and_the_message() {
    let group = Builder::new().catch_panics().build::<&str>();
    let handle = group.handle();
    let _fine = group.spawn(async { Ok(()) });
    let parser = group.spawn(async { panic!("unexpected byte {}", 0xff) as Result<(), &str> });
    let token = group.token().clone();
    group.spawn(async move {
        token.cancelled().await; // the caught panic still cancels the siblings
        Ok(())
    });

    let error = group.wait().await.unwrap_err();
    let Error::Panicked { task, message } = &error else {
        panic!("expected a caught panic, got {error:?}")
    };
    assert_eq!(
        (*task, message.as_str()),
        (parser.id(), "unexpected byte 255")
    );
    assert_eq!(error.to_string(), "task 1 panicked: unexpected byte 255");
    assert_eq!(handle.cause(), Some(Cause::TaskPanicked));
}

#[tokio::test(start_paused = true)]
async fn a_caught_panic_with_no_string_message_says_so() {
    let group = Builder::new().catch_panics().build::<&str>();
    group.spawn(async { std::panic::panic_any(42_u8) as Result<(), &str> });
    let error = group.wait().await.unwrap_err();
    assert_eq!(error.to_string(), "task 0 panicked: Box<dyn Any>");
}

#[tokio::test(start_paused = true)]
async fn a_task_error_displays_as_itself() {
    assert_eq!(
        first_error(vec![Err("disk full")]).await.to_string(),
        "disk full"
    );
}

#[test]
fn the_groups_own_failures_display_what_happened() {
    let deadline = Error::<&str>::DeadlineExceeded {
        timeout: Duration::from_millis(1_500),
    };
    assert_eq!(deadline.to_string(), "deadline exceeded after 1.5s");
    let cancelled = Error::<&str>::Cancelled {
        cause: Cause::ParentCancelled,
    };
    assert_eq!(
        cancelled.to_string(),
        "the group was cancelled before its tasks finished: the parent token was cancelled"
    );
}

#[tokio::test(start_paused = true)]
async fn task_error_returns_the_tasks_error_only() {
    let error = first_error(vec![Err("no such user")]).await;
    assert_eq!(error.task_error(), Some(&"no such user"));

    let cancelled = Error::<&str>::Cancelled {
        cause: Cause::TokenCancelled,
    };
    assert_eq!(cancelled.task_error(), None);
}

#[tokio::test(start_paused = true)]
async fn into_task_error_takes_the_error_out_or_gives_the_failure_back() {
    let error = first_error(vec![Err("no such user")]).await;
    assert_eq!(error.into_task_error(), Ok("no such user"));

    let deadline = Error::<&str>::DeadlineExceeded {
        timeout: Duration::from_secs(1),
    };
    assert_eq!(
        deadline.into_task_error(),
        Err(Error::DeadlineExceeded {
            timeout: Duration::from_secs(1)
        })
    );
}

#[tokio::test(start_paused = true)]
async fn question_mark_converts_into_anyhow() {
    async fn run() -> anyhow::Result<()> {
        let group = Group::new();
        group.spawn(async { Err::<(), _>(std::io::Error::other("disk full")) });
        group.wait().await?;
        Ok(())
    }
    let error = run().await.unwrap_err();
    assert_eq!(error.to_string(), "disk full");
    assert!(error.downcast_ref::<Error<std::io::Error>>().is_some());
}

#[tokio::test(start_paused = true)]
async fn question_mark_converts_into_a_boxed_error() {
    async fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let group = Group::<String>::new();
        group.spawn(fails_when_cancelled_as_string(group.token().clone()));
        group.token().cancel();
        group.wait().await?;
        Ok(())
    }
    assert_eq!(
        run().await.unwrap_err().to_string(),
        "the group was cancelled before its tasks finished: the group's token was cancelled"
    );
}

async fn fails_when_cancelled_as_string(token: errgroup::CancellationToken) -> Result<(), String> {
    fails_when_cancelled(token).await.map_err(str::to_owned)
}

#[test]
fn errors_are_send_sync_and_static() {
    fn assert_send_sync_static<T: Send + Sync + 'static>() {}
    assert_send_sync_static::<Error<std::io::Error>>();
    assert_send_sync_static::<SpawnError<std::future::Ready<Result<(), ()>>>>();
    assert_send_sync_static::<TaskId>();
    assert_send_sync_static::<Cause>();
}

#[tokio::test(start_paused = true)]
async fn a_spawn_error_says_why_and_hides_the_task_in_debug() {
    let group = Builder::new().limit(1).build::<()>();
    group.spawn(std::future::pending::<Result<(), ()>>());
    let full = group.try_spawn(async { Ok(()) }).unwrap_err();
    assert_eq!(full.to_string(), "the group is full: every slot is taken");
    assert_eq!(format!("{full:?}"), "Full(..)");

    let handle = group.handle();
    drop(group);
    let closed = handle.spawn(async { Ok(()) }).unwrap_err();
    assert_eq!(
        closed.to_string(),
        "the group has ended: its wait returned or it was dropped"
    );
    assert_eq!(format!("{closed:?}"), "Closed(..)");
}
