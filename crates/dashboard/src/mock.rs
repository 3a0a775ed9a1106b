//! [`MockService`]: the original's mock services, which answer after a latency or fail.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::{BoxError, Service};

/// A [`Service`] that sleeps for its latency, then answers, or fails if told to.
///
/// [`MockService::profile`] and [`MockService::order`] are the original's services. A mock
/// counts the fetches in flight, shared by its clones, so a test can check that none is left
/// running: keep a clone, hand the other to the aggregator.
///
/// Like any [`Service`], a mock stops as soon as the aggregation stops it: the aggregator drops
/// its fetch, and the sleep with it.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// use dashboard::{MockService, Service};
/// use tokio::time::Instant;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), dashboard::BoxError> {
/// let started = Instant::now();
/// assert_eq!(MockService::order().fetch("42").await?, "Order: 5");
/// let broken = MockService::profile()
///     .with_latency(Duration::from_millis(100))
///     .failing_with("connection refused");
/// assert_eq!(broken.fetch("42").await.unwrap_err().to_string(), "connection refused");
/// assert_eq!(started.elapsed(), Duration::from_millis(600)); // one after the other
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct MockService {
    answer: String,
    latency: Duration,
    /// The message to fail with after the latency, instead of answering.
    failure: Option<String>,
    in_flight: Arc<AtomicUsize>,
}

impl MockService {
    /// A mock that answers `answer` after `latency`, whatever the id.
    fn new(answer: &str, latency: Duration) -> Self {
        Self {
            answer: answer.to_owned(),
            latency,
            failure: None,
            in_flight: Arc::default(),
        }
    }

    /// The original's profile service: answers `"Name: Alice"` after 2 s.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), dashboard::BoxError> {
    /// use dashboard::{MockService, Service};
    /// use tokio::time::Instant;
    ///
    /// let started = Instant::now();
    /// assert_eq!(MockService::profile().fetch("42").await?, "Name: Alice");
    /// assert_eq!(started.elapsed(), Duration::from_secs(2));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn profile() -> Self {
        Self::new("Name: Alice", Duration::from_secs(2))
    }

    /// The original's order service: answers `"Order: 5"` after 500 ms.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), dashboard::BoxError> {
    /// use dashboard::{MockService, Service};
    /// use tokio::time::Instant;
    ///
    /// let started = Instant::now();
    /// assert_eq!(MockService::order().fetch("42").await?, "Order: 5");
    /// assert_eq!(started.elapsed(), Duration::from_millis(500));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn order() -> Self {
        Self::new("Order: 5", Duration::from_millis(500))
    }

    /// Answers, or fails, after `latency` instead.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), dashboard::BoxError> {
    /// use dashboard::{MockService, Service};
    /// use tokio::time::Instant;
    ///
    /// let started = Instant::now();
    /// MockService::profile().with_latency(Duration::from_millis(10)).fetch("42").await?;
    /// assert_eq!(started.elapsed(), Duration::from_millis(10));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn with_latency(self, latency: Duration) -> Self {
        Self { latency, ..self }
    }

    /// Fails with `message` after the latency, instead of answering.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use dashboard::{MockService, Service};
    ///
    /// let broken = MockService::order().failing_with("connection refused");
    /// assert_eq!(broken.fetch("42").await.unwrap_err().to_string(), "connection refused");
    /// # }
    /// ```
    #[must_use]
    pub fn failing_with(self, message: impl Into<String>) -> Self {
        Self {
            failure: Some(message.into()),
            ..self
        }
    }

    /// Returns how many fetches of this mock, or of its clones, are running now: started, and
    /// neither finished nor dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use dashboard::{MockService, Service};
    ///
    /// let profile = MockService::profile();
    /// let fetching = tokio::spawn({
    ///     let profile = profile.clone();
    ///     async move { profile.fetch("42").await }
    /// });
    /// tokio::task::yield_now().await; // let the fetch start
    /// assert_eq!(profile.fetches_in_flight(), 1);
    ///
    /// fetching.abort();
    /// assert!(fetching.await.unwrap_err().is_cancelled());
    /// assert_eq!(profile.fetches_in_flight(), 0);
    /// # }
    /// ```
    #[must_use]
    pub fn fetches_in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }
}

impl Service for MockService {
    /// Sleeps for the latency, then answers, or fails if the mock was made
    /// [failing](MockService::failing_with). The id is ignored.
    ///
    /// # Errors
    ///
    /// Returns the failure message, if the mock was made failing.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the fetch stops its sleep, and it no longer counts as in flight.
    async fn fetch(&self, _id: &str) -> Result<String, BoxError> {
        let _in_flight = InFlight::enter(&self.in_flight);
        tokio::time::sleep(self.latency).await;
        match &self.failure {
            Some(message) => Err(message.clone().into()),
            None => Ok(self.answer.clone()),
        }
    }
}

/// Counts one fetch as in flight for as long as it exists.
struct InFlight<'a>(&'a AtomicUsize);

impl<'a> InFlight<'a> {
    fn enter(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Self(count)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
