//! Behaviour of a group's deadline: `Builder::timeout` and `Builder::deadline`.

mod common;

use common::{LiveCounter, after, ms};
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
    group.spawn_with_token(|token| cooperative(token, 2_000));
    group.spawn_with_token(|token| cooperative(token, 500));

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
async fn a_group_that_ends_in_time_succeeds_and_its_timer_ends_with_it() {
    let group = Builder::new().timeout(ms(1_000)).build::<&str>();
    let handle = group.handle();
    let fast = group.spawn_with_token(|token| cooperative(token, 200));

    assert_eq!(group.wait().await.expect("in time").take(fast), 200);
    tokio::time::sleep(ms(5_000)).await; // past the deadline: nothing changes any more
    assert_eq!(handle.cause(), Some(Cause::Finished));
}

#[tokio::test(start_paused = true)]
async fn an_earlier_failure_wins_over_the_deadline() {
    let group = Builder::new().timeout(ms(1_000)).build();
    group.spawn(after::<(), _>(100, Err("failed first")));
    group.spawn_with_token(|token| cooperative(token, 5_000));

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
    group
        .spawn_with_token(|token| async move {
            let _alive = alive;
            cooperative(token, 10_000).await
        })
        .await;

    assert!(
        matches!(group.wait().await, Err(Error::DeadlineExceeded { timeout }) if timeout == ms(750))
    );
    assert_eq!(Instant::now(), deadline);
    assert_eq!(stopped.live(), 0);
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
