//! Behaviour of `Builder::keep_all_errors` and `Errors`.

mod common;

use common::after;
use errgroup::{Builder, Error, Group};

#[tokio::test(start_paused = true)]
async fn keeps_every_error_first_one_first() {
    let group = Builder::new().keep_all_errors().build();
    for (millis, error) in [(30, "third"), (10, "first"), (20, "second")] {
        group.spawn(after::<(), _>(millis, Err(error)));
    }

    let errors = group.wait().await.unwrap_err();
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(messages, ["first", "second", "third"]);
    assert_eq!(errors.to_string(), "first (and 2 more errors)");
}

#[tokio::test(start_paused = true)]
async fn keeps_the_errors_siblings_return_because_of_the_cancellation_behind_the_root_cause() {
    let group = Builder::new().keep_all_errors().build();
    group.spawn_with_token(|token| async move {
        token.cancelled().await;
        Err::<(), _>("cancelled by the sibling")
    });
    group.spawn(after::<(), _>(10, Err("root cause")));

    let errors = group.wait().await.unwrap_err().into_vec();
    assert!(matches!(
        &errors[..],
        [
            Error::Task {
                error: "root cause",
                ..
            },
            Error::Task {
                error: "cancelled by the sibling",
                ..
            }
        ]
    ));
}

#[tokio::test(start_paused = true)]
async fn a_successful_group_that_keeps_all_errors_returns_its_outputs() {
    let group = Builder::new().keep_all_errors().limit(2).build::<()>();
    let value = group.spawn(after(10, Ok(3))).await;
    assert_eq!(group.wait().await.expect("no error").take(value), 3);
}

#[tokio::test(start_paused = true)]
async fn the_default_group_returns_only_the_first_error() {
    let group = Group::new();
    group.spawn(after::<(), _>(10, Err("first")));
    group.spawn(after::<(), _>(20, Err("second")));
    assert!(matches!(
        group.wait().await,
        Err(Error::Task { error: "first", .. })
    ));
}
