//! Behaviour of a group's deadline: `Builder::timeout` and `Builder::deadline`.

mod common;

use std::panic;
use std::time::Duration;

use common::{LiveCounter, after, hang_guard, ms, panic_message};
use errgroup::{Builder, Cause, Error};
use tokio::time::Instant;

/// A task that stops with an error when the token is cancelled, or succeeds after `millis`.
async fn cooperative(token: errgroup::CancellationToken, millis: u64) -> Result<u64, &'static str> {
    tokio::select! {
        () = token.cancelled() => Err("stopped"),
        result = after(millis, Ok(millis)) => result,
    }
}

#[tokio::test(start_paused = true)]
async fn wait_reports_the_deadline_when_it_passes() {
    let started = Instant::now();
    let group = Builder::new().timeout(ms(1_000)).build();
    group.spawn(cooperative(group.token().clone(), 2_000));
    group.spawn(cooperative(group.token().clone(), 500));

    let error = group.wait().await.unwrap_err();
    assert_eq!(error, Error::DeadlineExceeded { timeout: ms(1_000) });
    assert_eq!(error.to_string(), "deadline exceeded after 1s");
    assert_eq!(started.elapsed(), ms(1_000));
}

#[tokio::test(start_paused = true)]
async fn the_token_is_cancelled_at_the_deadline_even_before_wait() {
    let group = Builder::new().timeout(ms(300)).build::<()>();
    let token = group.token().clone();
    group.spawn(std::future::pending::<Result<(), ()>>());
    let started = Instant::now();

    token.cancelled().await; // nobody is waiting on the group yet
    assert_eq!(started.elapsed(), ms(300));
    assert_eq!(group.cause(), Some(Cause::DeadlineExceeded));
}

#[tokio::test(start_paused = true)]
async fn the_deadline_counts_from_build() {
    let started = Instant::now();
    let group = Builder::new().timeout(ms(1_000)).build::<&str>();
    tokio::time::sleep(ms(400)).await;
    group.spawn(cooperative(group.token().clone(), 5_000));

    assert_eq!(
        group.wait().await.unwrap_err(),
        Error::DeadlineExceeded { timeout: ms(1_000) }
    );
    assert_eq!(started.elapsed(), ms(1_000));
}

#[tokio::test(start_paused = true)]
async fn a_group_that_ends_in_time_succeeds_and_its_timer_ends_with_it() {
    let group = Builder::new().timeout(ms(1_000)).build::<&str>();
    let handle = group.handle();
    let fast = group.spawn(cooperative(group.token().clone(), 200));

    assert_eq!(group.wait().await.expect("in time").take(fast), 200);
    tokio::time::sleep(ms(5_000)).await; // past the deadline: nothing changes any more
    assert_eq!(handle.cause(), Some(Cause::Finished));
}

#[tokio::test(start_paused = true)]
async fn an_earlier_failure_wins_over_the_deadline() {
    let group = Builder::new().timeout(ms(1_000)).build();
    group.spawn(after::<u64, _>(100, Err("failed first")));
    group.spawn(cooperative(group.token().clone(), 5_000));

    assert!(matches!(
        group.wait().await,
        Err(Error::Task {
            error: "failed first",
            ..
        })
    ));
}

#[tokio::test(start_paused = true)]
async fn an_absolute_deadline_cancels_at_that_instant() {
    let deadline = Instant::now() + ms(750);
    let group = Builder::new().deadline(deadline).limit(1).build();
    let stopped = LiveCounter::default();
    let alive = stopped.enter();
    let token = group.token().clone();
    group.spawn(async move {
        let _alive = alive;
        cooperative(token, 10_000).await
    });

    assert!(
        matches!(group.wait().await, Err(Error::DeadlineExceeded { timeout }) if timeout == ms(750))
    );
    assert_eq!(Instant::now(), deadline);
    assert_eq!(stopped.live(), 0);
}

#[tokio::test(start_paused = true)]
async fn an_absolute_deadline_in_the_past_cancels_at_once() {
    tokio::time::sleep(ms(100)).await;
    let group = Builder::new()
        .deadline(Instant::now() - ms(50))
        .build::<&str>();
    group.spawn(cooperative(group.token().clone(), 10_000));

    assert_eq!(
        group.wait().await.unwrap_err(),
        Error::DeadlineExceeded {
            timeout: Duration::ZERO
        }
    );
}

#[tokio::test(start_paused = true)]
async fn a_deadline_that_passes_after_every_task_ended_does_not_fail_the_group() {
    let group = Builder::new().timeout(ms(1_000)).build::<()>();
    let value = group.spawn(async { Ok(7) });
    tokio::time::sleep(ms(2_000)).await; // the task ended long ago; nobody waited yet

    assert_eq!(
        group
            .wait()
            .await
            .expect("every task succeeded")
            .take(value),
        7
    );
}

#[tokio::test(start_paused = true)]
async fn a_task_spawned_after_the_deadline_reports_the_deadline() {
    let group = Builder::new().timeout(ms(1_000)).build::<()>();
    group.spawn(async { Ok(()) });
    tokio::time::sleep(ms(2_000)).await;
    assert_eq!(group.cause(), Some(Cause::DeadlineExceeded));

    group.spawn(async { Ok(()) }); // never runs
    assert_eq!(
        group.wait().await.unwrap_err(),
        Error::DeadlineExceeded { timeout: ms(1_000) }
    );
}

#[tokio::test(start_paused = true)]
async fn a_timeout_too_large_to_represent_means_no_deadline() {
    const A_YEAR_IN_MS: u64 = 365 * 24 * 3_600 * 1_000;
    for timeout in [Duration::MAX, Duration::from_secs(u64::MAX)] {
        let group = Builder::new().timeout(timeout).build::<()>();
        let handle = group.handle();
        let value = group.spawn(after(A_YEAR_IN_MS, Ok(1)));
        tokio::time::sleep(ms(A_YEAR_IN_MS + 1)).await;
        let outputs = hang_guard("wait", group.wait()).await;
        assert_eq!(outputs.expect("no deadline").take(value), 1);
        assert_eq!(handle.cause(), Some(Cause::Finished));
    }
}

#[test]
fn a_timeout_on_a_runtime_without_timers_panics_at_build() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let built = runtime
        .block_on(async { panic::catch_unwind(|| Builder::new().timeout(ms(100)).build::<()>()) });
    let message = panic_message(built.expect_err("no timers: `build` panics"));
    assert!(message.contains("timers are disabled"), "{message}");
}

#[test]
fn a_deadline_outside_a_runtime_panics_at_build() {
    let built = panic::catch_unwind(|| Builder::new().timeout(ms(100)).build::<()>());
    let message = panic_message(built.expect_err("no runtime: `build` panics"));
    assert!(message.contains("Tokio 1.x runtime"), "{message}");
}

#[test]
fn a_group_without_a_deadline_builds_anywhere() {
    let group = Builder::new().limit(2).build::<()>();
    assert!(!group.token().is_cancelled());
}
