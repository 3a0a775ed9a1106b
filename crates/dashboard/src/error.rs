//! The errors of building an aggregator and of aggregating.

use std::time::Duration;

use crate::{BoxError, ServiceKind};

/// Why [`DashboardAggregator::aggregate`](crate::DashboardAggregator::aggregate) failed: Go's
/// `context.DeadlineExceeded`, `context.Canceled`, or a service's error.
///
/// Each variant is one cause a caller may want to handle differently: retry later after a
/// deadline, stop quietly after its own cancellation, report a broken service.
///
/// A service failure's [`Display`](std::fmt::Display) names the service, and its
/// [`source`](std::error::Error::source) is the service's own error; print the whole chain to
/// show both.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// use dashboard::{CancellationToken, DashboardAggregator, Error, MockService, ServiceKind};
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), dashboard::BuildError> {
/// let order = MockService::order().with_latency(Duration::from_millis(100)).failing_with("connection refused");
/// let aggregator = DashboardAggregator::builder(MockService::profile(), order).build()?;
///
/// match aggregator.aggregate("42", &CancellationToken::new()).await {
///     Err(Error::Service { service: ServiceKind::Order, source }) => {
///         assert_eq!(source.to_string(), "connection refused");
///     }
///     other => panic!("expected the order service to fail, got {other:?}"),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The timeout passed before both services answered. Both fetches were stopped.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let error = dashboard::Error::DeadlineExceeded { timeout: Duration::from_secs(1) };
    /// assert_eq!(error.to_string(), "deadline exceeded after 1s");
    /// ```
    #[error("deadline exceeded after {timeout:?}")]
    DeadlineExceeded {
        /// The aggregator's timeout.
        timeout: Duration,
    },
    /// The caller's token was cancelled before both services answered. Both fetches were
    /// stopped. (Also returned if the runtime shut down under the fetches.)
    ///
    /// ```
    /// assert_eq!(dashboard::Error::Cancelled.to_string(), "cancelled by the caller");
    /// ```
    #[error("cancelled by the caller")]
    Cancelled,
    /// A service failed, and was the first to. The other fetch was stopped.
    ///
    /// ```
    /// use dashboard::{Error, ServiceKind};
    ///
    /// let error = Error::Service { service: ServiceKind::Profile, source: "connection refused".into() };
    /// assert_eq!(error.to_string(), "profile service failed");
    /// assert_eq!(std::error::Error::source(&error).unwrap().to_string(), "connection refused");
    /// ```
    #[error("{service} service failed")]
    Service {
        /// The service that failed.
        service: ServiceKind,
        /// The service's own error.
        #[source]
        source: BoxError,
    },
}

/// Why [`Builder::build`](crate::Builder::build) refused a configuration.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// use dashboard::{BuildError, DashboardAggregator, MockService};
///
/// let refused = DashboardAggregator::builder(MockService::profile(), MockService::order())
///     .timeout(Duration::ZERO)
///     .build()
///     .unwrap_err();
/// assert_eq!(refused, BuildError::ZeroTimeout);
/// assert_eq!(refused.to_string(), "the timeout must be greater than zero");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The timeout is zero: every aggregation would fail before it started.
    #[error("the timeout must be greater than zero")]
    ZeroTimeout,
}
