//! Behaviour of task identity: `TaskId`, `named`, and `TaskInfo` in errors and caught panics.

mod common;

use common::after;
use errgroup::{Builder, Error, Group, named};

#[tokio::test(start_paused = true)]
async fn the_error_says_which_task_failed() {
    let group = Group::new();
    let _fine = group.spawn(after(30, Ok(())));
    let failing = group.spawn(after::<(), _>(10, Err("boom")));

    let Err(Error::Task { task, error }) = group.wait().await else {
        panic!("a task failed")
    };
    assert_eq!(
        (task.id(), task.name(), error),
        (failing.id(), None, "boom")
    );
}

#[tokio::test(start_paused = true)]
async fn the_error_names_a_named_task() {
    let group = Group::new();
    group.spawn(named("profile", after(30, Ok(()))));
    group.spawn(named(
        format!("order {}", 5),
        after::<(), _>(10, Err("boom")),
    ));

    let Err(Error::Task { task, .. }) = group.wait().await else {
        panic!("a task failed")
    };
    assert_eq!(task.name(), Some("order 5"));
    assert_eq!(task.to_string(), "task 1 (order 5)");
}

#[tokio::test(start_paused = true)]
async fn ids_count_spawns_in_order() {
    let group = Group::<()>::new();
    let ids: Vec<u64> = (0..5)
        .map(|_| group.spawn(async { Ok(()) }).id().as_u64())
        .collect();
    assert_eq!(ids, [0, 1, 2, 3, 4]);
}

#[tokio::test(start_paused = true)]
async fn a_caught_panic_becomes_an_error_naming_the_task_and_the_message() {
    let group = Builder::new().catch_panics().build::<()>();
    let handle = group.handle();
    group.spawn(named("parser", async {
        panic!("unexpected byte {}", 0xff) as Result<(), ()>
    }));
    group.spawn_with_token(|token| async move {
        token.cancelled().await; // the caught panic still cancels the siblings
        Ok(())
    });

    let error = group.wait().await.unwrap_err();
    let Error::Panicked { task, message } = &error else {
        panic!("expected a caught panic, got {error:?}")
    };
    assert_eq!(
        (task.name(), message.as_str()),
        (Some("parser"), "unexpected byte 255")
    );
    assert_eq!(handle.cause(), Some(errgroup::Cause::TaskPanicked));
}
