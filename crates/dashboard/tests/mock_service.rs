//! The mock services: the original's answers and latencies, failures, and the in-flight count.

use std::time::Duration;

use dashboard::{MockService, Service};
use tokio::time::Instant;

/// Fetches from `service`, and returns the outcome as text with the virtual time it took.
async fn timed_fetch(service: &MockService) -> (Result<String, String>, Duration) {
    let started = Instant::now();
    let outcome = service.fetch("42").await.map_err(|error| error.to_string());
    (outcome, started.elapsed())
}

#[tokio::test(start_paused = true)]
async fn the_profile_answers_alice_after_two_seconds() {
    let outcome = timed_fetch(&MockService::profile()).await;

    assert_eq!(outcome, (Ok("Name: Alice".into()), Duration::from_secs(2)));
}

#[tokio::test(start_paused = true)]
async fn the_order_answers_five_after_half_a_second() {
    let outcome = timed_fetch(&MockService::order()).await;

    assert_eq!(outcome, (Ok("Order: 5".into()), Duration::from_millis(500)));
}

#[tokio::test(start_paused = true)]
async fn a_mock_answers_after_the_latency_it_is_given() {
    let mock = MockService::profile().with_latency(Duration::from_millis(40));

    let outcome = timed_fetch(&mock).await;

    assert_eq!(
        outcome,
        (Ok("Name: Alice".into()), Duration::from_millis(40))
    );
}

#[tokio::test(start_paused = true)]
async fn a_failing_mock_fails_after_its_latency() {
    let mock = MockService::order().failing_with("connection refused");

    let outcome = timed_fetch(&mock).await;

    assert_eq!(
        outcome,
        (Err("connection refused".into()), Duration::from_millis(500))
    );
}

#[tokio::test(start_paused = true)]
async fn a_fetch_is_in_flight_until_it_ends_and_clones_share_the_count() {
    let mock = MockService::order();
    let clone = mock.clone();
    let fetching =
        tokio::spawn(async move { clone.fetch("42").await.map_err(|error| error.to_string()) });
    tokio::task::yield_now().await;
    assert_eq!(mock.fetches_in_flight(), 1);

    assert_eq!(fetching.await.unwrap(), Ok("Order: 5".into()));
    assert_eq!(mock.fetches_in_flight(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_fetch_is_no_longer_in_flight() {
    let mock = MockService::profile();

    let stopped = tokio::time::timeout(Duration::from_secs(1), mock.fetch("42")).await;

    assert!(stopped.is_err());
    assert_eq!(mock.fetches_in_flight(), 0);
}
