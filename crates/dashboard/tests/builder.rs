//! Configuring an aggregator: defaults, the timeout, and refused configurations.

use std::time::Duration;

use dashboard::{
    BuildError, CancellationToken, DEFAULT_TIMEOUT, DashboardAggregator, Error, MockService,
};
use tokio::time::Instant;

/// A profile that never answers within any timeout used here.
fn hung_profile() -> MockService {
    MockService::profile().with_latency(Duration::from_secs(3600))
}

#[tokio::test(start_paused = true)]
async fn without_a_timeout_the_default_applies() {
    let aggregator = DashboardAggregator::builder(hung_profile(), MockService::order())
        .build()
        .unwrap();

    let started = Instant::now();
    let error = aggregator
        .aggregate("42", &CancellationToken::new())
        .await
        .unwrap_err();

    assert!(matches!(error, Error::DeadlineExceeded { timeout } if timeout == DEFAULT_TIMEOUT));
    assert_eq!(started.elapsed(), DEFAULT_TIMEOUT);
}

#[tokio::test(start_paused = true)]
async fn the_default_timeout_lets_the_original_services_answer() {
    let aggregator = DashboardAggregator::builder(MockService::profile(), MockService::order())
        .build()
        .unwrap();

    let started = Instant::now();
    let dashboard = aggregator.aggregate("42", &CancellationToken::new()).await;

    assert_eq!(dashboard.unwrap(), "Name: Alice | Order: 5");
    assert_eq!(started.elapsed(), Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn a_timeout_too_large_to_represent_means_no_deadline() {
    let aggregator = DashboardAggregator::builder(MockService::profile(), MockService::order())
        .timeout(Duration::MAX)
        .build()
        .unwrap();

    let dashboard = aggregator.aggregate("42", &CancellationToken::new()).await;

    assert_eq!(dashboard.unwrap(), "Name: Alice | Order: 5");
}

#[tokio::test(start_paused = true)]
async fn the_last_timeout_set_applies() {
    let aggregator = DashboardAggregator::builder(hung_profile(), MockService::order())
        .timeout(Duration::from_secs(9))
        .timeout(Duration::from_millis(700))
        .build()
        .unwrap();

    let started = Instant::now();
    aggregator
        .aggregate("42", &CancellationToken::new())
        .await
        .unwrap_err();

    assert_eq!(started.elapsed(), Duration::from_millis(700));
}

#[test]
fn a_zero_timeout_is_refused_at_build_time() {
    let refused = DashboardAggregator::builder(MockService::profile(), MockService::order())
        .timeout(Duration::ZERO)
        .build()
        .unwrap_err();

    assert_eq!(refused, BuildError::ZeroTimeout);
    assert_eq!(refused.to_string(), "the timeout must be greater than zero");
}

#[test]
fn the_smallest_timeout_is_accepted() {
    let built = DashboardAggregator::builder(MockService::profile(), MockService::order())
        .timeout(Duration::from_nanos(1))
        .build();

    assert!(built.is_ok());
}
