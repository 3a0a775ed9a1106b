//! The aggregator's behaviour: the original's stories, fail fast, cancellation, no leftovers,
//! and logging. Every test but the multi-threaded one runs on tokio's paused clock, so elapsed
//! times are exact.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use dashboard::{CancellationToken, DashboardAggregator, Error, MockService, ServiceKind};
use tokio::time::Instant;
use tracing::field::{Field, Visit};
use tracing::instrument::WithSubscriber;
use tracing::{Dispatch, Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

const fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

const fn secs(seconds: u64) -> Duration {
    Duration::from_secs(seconds)
}

fn aggregator(
    profile: MockService,
    order: MockService,
    timeout: Duration,
) -> DashboardAggregator<MockService, MockService> {
    DashboardAggregator::builder(profile, order)
        .timeout(timeout)
        .build()
        .expect("a non-zero timeout is valid")
}

/// Aggregates from `profile` and `order` under `timeout` until `cancel` is cancelled, checks
/// that no fetch is left in flight the moment it returns, and returns the outcome with the
/// virtual time it took.
async fn aggregate_until(
    profile: MockService,
    order: MockService,
    timeout: Duration,
    cancel: &CancellationToken,
) -> (Result<String, Error>, Duration) {
    let aggregator = aggregator(profile.clone(), order.clone(), timeout);
    let started = Instant::now();
    let outcome = aggregator.aggregate("42", cancel).await;
    let elapsed = started.elapsed();
    assert_eq!(profile.fetches_in_flight(), 0, "a profile fetch is left");
    assert_eq!(order.fetches_in_flight(), 0, "an order fetch is left");
    (outcome, elapsed)
}

/// [`aggregate_until`] a token that no one cancels.
async fn aggregate(
    profile: MockService,
    order: MockService,
    timeout: Duration,
) -> (Result<String, Error>, Duration) {
    aggregate_until(profile, order, timeout, &CancellationToken::new()).await
}

/// [`aggregate_until`] with the original's services, under a timeout neither reaches.
async fn aggregate_the_originals_until(
    cancel: &CancellationToken,
) -> (Result<String, Error>, Duration) {
    aggregate_until(
        MockService::profile(),
        MockService::order(),
        secs(3),
        cancel,
    )
    .await
}

fn failing(service: MockService, latency: Duration) -> MockService {
    service
        .with_latency(latency)
        .failing_with("connection refused")
}

/// Asserts that `outcome` is the failure of `expected`, with the mock's message as its source.
fn assert_service_failed(outcome: Result<String, Error>, expected: ServiceKind) {
    match outcome {
        Err(Error::Service { service, source }) => {
            assert_eq!(service, expected);
            assert_eq!(source.to_string(), "connection refused");
        }
        other => panic!("expected the {expected} service to fail, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_timeout_shorter_than_the_profile_fails_at_the_deadline() {
    let (outcome, elapsed) = aggregate(MockService::profile(), MockService::order(), secs(1)).await;

    let error = outcome.unwrap_err();
    assert!(matches!(error, Error::DeadlineExceeded { timeout } if timeout == secs(1)));
    assert_eq!(error.to_string(), "deadline exceeded after 1s");
    assert_eq!(elapsed, secs(1));
}

#[tokio::test(start_paused = true)]
async fn a_timeout_longer_than_both_services_returns_both_at_the_slower_ones_time() {
    let (outcome, elapsed) = aggregate(MockService::profile(), MockService::order(), secs(3)).await;

    assert_eq!(outcome.unwrap(), "Name: Alice | Order: 5");
    assert_eq!(elapsed, secs(2));
}

#[tokio::test(start_paused = true)]
async fn an_order_failure_returns_at_once_and_stops_the_profile_fetch() {
    let order = failing(MockService::order(), ms(100));

    let (outcome, elapsed) = aggregate(MockService::profile(), order, secs(3)).await;

    assert_service_failed(outcome, ServiceKind::Order);
    assert_eq!(elapsed, ms(100));
}

#[tokio::test(start_paused = true)]
async fn a_profile_failure_returns_at_once_and_stops_the_order_fetch() {
    let profile = failing(MockService::profile(), ms(100));

    let (outcome, elapsed) = aggregate(profile, MockService::order(), secs(3)).await;

    assert_service_failed(outcome, ServiceKind::Profile);
    assert_eq!(elapsed, ms(100));
}

#[tokio::test(start_paused = true)]
async fn when_both_fail_the_first_failure_wins() {
    let profile = failing(MockService::profile(), ms(300));
    let order = failing(MockService::order(), ms(200));

    let (outcome, elapsed) = aggregate(profile, order, secs(3)).await;

    assert_service_failed(outcome, ServiceKind::Order);
    assert_eq!(elapsed, ms(200));
}

#[tokio::test(start_paused = true)]
async fn a_failure_after_the_deadline_is_not_reported() {
    let order = failing(MockService::order(), ms(1500));

    let (outcome, elapsed) = aggregate(MockService::profile(), order, secs(1)).await;

    assert!(matches!(outcome, Err(Error::DeadlineExceeded { .. })));
    assert_eq!(elapsed, secs(1));
}

#[tokio::test(start_paused = true)]
async fn the_callers_cancellation_stops_both_fetches_at_once() {
    let cancel = CancellationToken::new();
    tokio::spawn({
        let cancel = cancel.clone();
        async move {
            tokio::time::sleep(ms(300)).await;
            cancel.cancel();
        }
    });

    let (outcome, elapsed) = aggregate_the_originals_until(&cancel).await;

    let error = outcome.unwrap_err();
    assert!(matches!(error, Error::Cancelled));
    assert_eq!(error.to_string(), "cancelled by the caller");
    assert_eq!(elapsed, ms(300));
}

#[tokio::test(start_paused = true)]
async fn a_token_cancelled_before_the_call_fails_without_fetching() {
    let cancel = CancellationToken::new();
    cancel.cancel();

    let (outcome, elapsed) = aggregate_the_originals_until(&cancel).await;

    assert!(matches!(outcome, Err(Error::Cancelled)));
    assert_eq!(elapsed, Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn the_callers_token_is_not_cancelled_by_a_failure() {
    let order = failing(MockService::order(), ms(100));
    let cancel = CancellationToken::new();

    let (outcome, _) = aggregate_until(MockService::profile(), order, secs(3), &cancel).await;

    assert!(outcome.is_err());
    assert!(!cancel.is_cancelled());
}

/// The clock cannot be paused on this runtime, so nothing sleeps: the services answer, or the
/// order fails, at once, and the two fetches race on the runtime's two threads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_fetch_is_left_on_a_multi_threaded_runtime() {
    let at_once = |service: MockService| service.with_latency(Duration::ZERO);
    for _ in 0..100 {
        let (outcome, _) = aggregate(
            at_once(MockService::profile()),
            at_once(MockService::order()),
            secs(3),
        )
        .await;
        assert_eq!(outcome.unwrap(), "Name: Alice | Order: 5");

        let order = failing(MockService::order(), Duration::ZERO);
        let (outcome, _) = aggregate(MockService::profile(), order, secs(3)).await;
        assert_service_failed(outcome, ServiceKind::Order);
    }
}

/// An event's fields as text, by name; the message is under `message`.
type Fields = BTreeMap<&'static str, String>;

fn fields<const N: usize>(pairs: [(&'static str, &str); N]) -> Fields {
    pairs
        .into_iter()
        .map(|(name, value)| (name, value.to_owned()))
        .collect()
}

/// A subscriber layer that keeps every event with its level, to assert on them.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<(Level, Fields)>>>);

impl Capture {
    fn dispatch(&self) -> Dispatch {
        Dispatch::new(tracing_subscriber::registry().with(self.clone()))
    }

    /// Takes the fields of the events at `level`, oldest first.
    fn events_at(&self, level: Level) -> Vec<Fields> {
        let mut events = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let (matching, others): (Vec<_>, _) = events.drain(..).partition(|(at, _)| *at == level);
        *events = others;
        matching.into_iter().map(|(_, fields)| fields).collect()
    }
}

impl<S: Subscriber> Layer<S> for Capture {
    fn on_event(&self, event: &Event<'_>, _context: Context<'_, S>) {
        let mut visitor = FieldsAsText::default();
        event.record(&mut visitor);
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((*event.metadata().level(), visitor.0));
    }
}

#[derive(Default)]
struct FieldsAsText(Fields);

impl Visit for FieldsAsText {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name(), value.to_owned());
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0.insert(field.name(), value.to_string());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name(), format!("{value:?}"));
    }
}

/// Aggregates from `profile` and `order` under a 1s timeout, with `own` as the aggregator's
/// logger if given, in an application whose subscriber it returns.
async fn aggregate_logging(
    profile: MockService,
    order: MockService,
    own: Option<&Capture>,
) -> Capture {
    let application = Capture::default();
    let mut builder = DashboardAggregator::builder(profile, order).timeout(secs(1));
    if let Some(own) = own {
        builder = builder.logger(own.dispatch());
    }
    let aggregator = builder.build().expect("a non-zero timeout is valid");
    let _outcome = aggregator
        .aggregate("42", &CancellationToken::new())
        .with_subscriber(application.dispatch())
        .await;
    application
}

#[tokio::test(start_paused = true)]
async fn success_logs_fetched_success_with_the_id_and_elapsed_time() {
    let own = Capture::default();
    let quick_profile = MockService::profile().with_latency(ms(800));

    aggregate_logging(quick_profile, MockService::order(), Some(&own)).await;

    let success = fields([
        ("message", "fetched success"),
        ("id", "42"),
        ("elapsed", "800ms"),
    ]);
    assert_eq!(own.events_at(Level::INFO), [success]);
    assert!(own.events_at(Level::ERROR).is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_failure_logs_the_error_once_with_the_failed_service() {
    let own = Capture::default();
    let order = failing(MockService::order(), ms(100));

    aggregate_logging(MockService::profile(), order, Some(&own)).await;

    let failure = fields([
        ("message", "fetch failed"),
        ("id", "42"),
        ("elapsed", "100ms"),
        ("service", "order"),
        ("error", "order service failed"),
    ]);
    assert_eq!(own.events_at(Level::ERROR), [failure]);
    assert!(own.events_at(Level::INFO).is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_deadline_logs_the_error_without_a_service() {
    let own = Capture::default();

    aggregate_logging(MockService::profile(), MockService::order(), Some(&own)).await;

    let failure = fields([
        ("message", "fetch failed"),
        ("id", "42"),
        ("elapsed", "1s"),
        ("error", "deadline exceeded after 1s"),
    ]);
    assert_eq!(own.events_at(Level::ERROR), [failure]);
}

#[tokio::test(start_paused = true)]
async fn without_a_logger_events_go_to_the_applications_subscriber() {
    let application = aggregate_logging(MockService::profile(), MockService::order(), None).await;

    assert_eq!(application.events_at(Level::ERROR).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_aggregators_logger_replaces_the_applications_subscriber() {
    let own = Capture::default();

    let application =
        aggregate_logging(MockService::profile(), MockService::order(), Some(&own)).await;

    assert_eq!(own.events_at(Level::ERROR).len(), 1);
    assert!(application.events_at(Level::ERROR).is_empty());
}
