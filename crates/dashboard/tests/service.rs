//! The `Service` trait as a real client would implement it, and `ServiceKind`.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use dashboard::{
    BoxError, CancellationToken, DashboardAggregator, Error, MockService, Service, ServiceKind,
};
use tokio::time::Instant;

/// A service that answers with the id it was asked for.
struct Echo;

impl Service for Echo {
    async fn fetch(&self, id: &str) -> Result<String, BoxError> {
        Ok(format!("Id: {id}"))
    }
}

/// A service that never answers, and records when its fetch is dropped.
struct Hung {
    dropped: Arc<AtomicBool>,
}

struct SetOnDrop(Arc<AtomicBool>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Service for Hung {
    fn fetch(&self, _id: &str) -> impl Future<Output = Result<String, BoxError>> + Send {
        let on_drop = SetOnDrop(Arc::clone(&self.dropped));
        async move {
            let _on_drop = on_drop;
            std::future::pending().await
        }
    }
}

/// A service that panics.
struct Panicking;

impl Service for Panicking {
    async fn fetch(&self, _id: &str) -> Result<String, BoxError> {
        panic!("the profile service panicked")
    }
}

#[tokio::test(start_paused = true)]
async fn a_custom_service_gets_the_id_and_replaces_a_mock() {
    let aggregator = DashboardAggregator::builder(Echo, MockService::order())
        .build()
        .unwrap();

    assert_eq!(
        aggregator
            .aggregate("7", &CancellationToken::new())
            .await
            .unwrap(),
        "Id: 7 | Order: 5"
    );
}

#[tokio::test(start_paused = true)]
async fn a_service_that_never_answers_is_dropped_at_the_deadline() {
    let dropped = Arc::new(AtomicBool::new(false));
    let hung = Hung {
        dropped: Arc::clone(&dropped),
    };
    let aggregator = DashboardAggregator::builder(hung, MockService::order())
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();

    let started = Instant::now();
    let outcome = aggregator.aggregate("42", &CancellationToken::new()).await;

    assert!(matches!(outcome, Err(Error::DeadlineExceeded { .. })));
    assert_eq!(started.elapsed(), Duration::from_secs(1));
    assert!(
        dropped.load(Ordering::SeqCst),
        "the hung fetch is still running"
    );
}

#[tokio::test(start_paused = true)]
#[should_panic(expected = "the profile service panicked")]
async fn a_services_panic_resumes_in_the_caller() {
    let aggregator = DashboardAggregator::builder(Panicking, MockService::order())
        .build()
        .unwrap();

    let _ = aggregator.aggregate("42", &CancellationToken::new()).await;
}

#[test]
fn service_kinds_display_their_lowercase_names() {
    let names = [ServiceKind::Profile, ServiceKind::Order].map(|kind| kind.to_string());

    assert_eq!(names, ["profile", "order"]);
}
