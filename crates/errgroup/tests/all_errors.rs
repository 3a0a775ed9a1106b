//! Behaviour of `Builder::keep_all_errors` and `Group::wait_all`.

mod common;

use common::{after, fails_when_cancelled, ms};
use errgroup::{Builder, Cause, Error, Group};

#[tokio::test(start_paused = true)]
async fn keeps_every_error_first_one_first() {
    let group = Builder::new().keep_all_errors().build();
    for (millis, error) in [(30, "third"), (10, "first"), (20, "second")] {
        group.spawn(after::<(), _>(millis, Err(error)));
    }

    let errors = group.wait_all().await.unwrap_err();
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(messages, ["first", "second", "third"]);
}

#[tokio::test(start_paused = true)]
async fn a_task_error_does_not_cancel_a_group_that_keeps_all_errors() {
    let group = Builder::new().keep_all_errors().build();
    let token = group.token().clone();
    let sibling = group.token().clone();
    group.spawn(after::<(), _>(10, Err("failed early")));
    group.spawn(async move {
        tokio::time::sleep(ms(100)).await;
        // Still running, and not told to stop.
        assert!(!sibling.is_cancelled());
        Ok(())
    });

    let errors = group.wait_all().await.unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].task_error(), Some(&"failed early"));
    assert!(token.is_cancelled(), "wait cancels the token at the end");
}

#[tokio::test(start_paused = true)]
async fn wait_returns_the_first_of_all_the_errors() {
    let group = Builder::new().keep_all_errors().build();
    group.spawn(after::<(), _>(20, Err("second")));
    group.spawn(after::<(), _>(10, Err("first")));
    assert_eq!(group.wait().await.unwrap_err().task_error(), Some(&"first"));
}

#[tokio::test(start_paused = true)]
async fn errors_returned_after_an_outside_cancellation_are_not_kept() {
    let group = Builder::new().keep_all_errors().build();
    group.spawn(after::<(), _>(10, Err("before the cancellation")));
    for _ in 0..3 {
        group.spawn(fails_when_cancelled::<()>(group.token().clone()));
    }
    tokio::time::sleep(ms(20)).await;
    group.token().cancel();

    let errors = group.wait_all().await.unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].task_error(), Some(&"before the cancellation"));
}

#[tokio::test(start_paused = true)]
async fn an_outside_cancellation_alone_is_reported_as_the_cancellation() {
    let group = Builder::new().keep_all_errors().build();
    for _ in 0..3 {
        group.spawn(fails_when_cancelled::<()>(group.token().clone()));
    }
    tokio::task::yield_now().await;
    group.token().cancel();

    assert_eq!(
        group.wait_all().await.unwrap_err(),
        [Error::Cancelled {
            cause: Cause::TokenCancelled
        }]
    );
}

#[tokio::test(start_paused = true)]
async fn the_deadline_is_kept_after_the_earlier_errors_and_stops_the_group() {
    let group = Builder::new().keep_all_errors().timeout(ms(100)).build();
    group.spawn(after::<(), _>(10, Err("failed early")));
    for _ in 0..3 {
        group.spawn(fails_when_cancelled::<()>(group.token().clone()));
    }

    let errors = group.wait_all().await.unwrap_err();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].task_error(), Some(&"failed early"));
    assert_eq!(errors[1], Error::DeadlineExceeded { timeout: ms(100) });
}

#[tokio::test(start_paused = true)]
async fn a_caught_panic_is_kept_and_still_cancels_the_group() {
    let group = Builder::new().keep_all_errors().catch_panics().build();
    let handle = group.handle();
    group.spawn(after::<(), _>(10, Err("failed early")));
    let panicking = group.spawn(async {
        tokio::time::sleep(ms(20)).await;
        panic!("bug") as Result<(), &str>
    });
    group.spawn(fails_when_cancelled::<()>(group.token().clone()));

    let errors = group.wait_all().await.unwrap_err();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].task_error(), Some(&"failed early"));
    assert_eq!(
        errors[1],
        Error::Panicked {
            task: panicking.id(),
            message: "bug".to_owned()
        }
    );
    assert_eq!(handle.cause(), Some(Cause::TaskPanicked));
}

#[tokio::test(start_paused = true)]
async fn a_successful_group_that_keeps_all_errors_returns_its_outputs() {
    let group = Builder::new().keep_all_errors().limit(2).build::<()>();
    let value = group.spawn(after(10, Ok(3)));
    assert_eq!(group.wait_all().await.expect("no error").take(value), 3);
}

#[tokio::test(start_paused = true)]
async fn the_default_group_returns_only_the_first_error() {
    let group = Group::new();
    group.spawn(after::<(), _>(10, Err("first")));
    group.spawn(after::<(), _>(20, Err("second")));
    let errors = group.wait_all().await.unwrap_err();
    assert_eq!(errors.len(), 1);
    assert!(matches!(errors[0], Error::Task { error: "first", .. }));
}
