//! [`Builder`]: configures a [`DashboardAggregator`]'s timeout and logger, and checks them.

use std::sync::Arc;
use std::time::Duration;

use tracing::Dispatch;

use crate::{BuildError, DashboardAggregator, Service};

/// The timeout of an aggregator whose builder was not given one: long enough for the
/// original's services (the slower answers after 2 s), short enough that a hung service does
/// not hang the dashboard.
///
/// # Examples
///
/// ```
/// assert_eq!(dashboard::DEFAULT_TIMEOUT, std::time::Duration::from_secs(5));
/// ```
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Configures a [`DashboardAggregator`]: Go's functional options `WithTimeout` and
/// `WithLogger`, checked once, by [`build`](Builder::build).
///
/// Made by [`DashboardAggregator::builder`], which takes the two services, as an aggregator
/// cannot work without them. The timeout defaults to [`DEFAULT_TIMEOUT`]; without a logger,
/// the aggregator logs to the subscriber the application installed.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// use dashboard::{DashboardAggregator, MockService};
///
/// let aggregator = DashboardAggregator::builder(MockService::profile(), MockService::order())
///     .timeout(Duration::from_secs(3))
///     .logger(tracing::Dispatch::none())
///     .build()?;
/// # Ok::<(), dashboard::BuildError>(())
/// ```
#[derive(Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct Builder<P, O> {
    profile: P,
    order: O,
    timeout: Duration,
    logger: Option<Dispatch>,
}

impl<P: Service, O: Service> Builder<P, O> {
    pub(crate) fn new(profile: P, order: O) -> Self {
        Self {
            profile,
            order,
            timeout: DEFAULT_TIMEOUT,
            logger: None,
        }
    }

    /// Sets how long an aggregation may take in all, counted from the call: Go's
    /// `WithTimeout`. When it passes, both fetches are stopped and the aggregation fails with
    /// [`Error::DeadlineExceeded`](crate::Error::DeadlineExceeded). A timeout too large to
    /// represent as an instant means no deadline.
    ///
    /// A zero timeout is refused by [`build`](Builder::build).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// use dashboard::{CancellationToken, DashboardAggregator, Error, MockService};
    /// use tokio::time::Instant;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), dashboard::BuildError> {
    /// let aggregator = DashboardAggregator::builder(MockService::profile(), MockService::order())
    ///     .timeout(Duration::from_secs(1))
    ///     .build()?;
    /// let started = Instant::now();
    /// let error = aggregator.aggregate("42", &CancellationToken::new()).await.unwrap_err();
    /// assert!(matches!(error, Error::DeadlineExceeded { timeout } if timeout == Duration::from_secs(1)));
    /// assert_eq!(started.elapsed(), Duration::from_secs(1)); // not the profile's 2 s
    /// # Ok(())
    /// # }
    /// ```
    pub fn timeout(self, timeout: Duration) -> Self {
        Self { timeout, ..self }
    }

    /// Gives the aggregator a logger of its own: Go's `WithLogger`. The aggregator's events go
    /// to `logger` instead of the application's subscriber.
    ///
    /// Any [`tracing::Subscriber`] will do, or a [`Dispatch`] of one.
    ///
    /// # Examples
    ///
    /// ```
    /// use dashboard::{DashboardAggregator, MockService};
    ///
    /// // Keep this aggregator quiet, whatever the application logs.
    /// let quiet = DashboardAggregator::builder(MockService::profile(), MockService::order())
    ///     .logger(tracing::Dispatch::none())
    ///     .build()?;
    /// # Ok::<(), dashboard::BuildError>(())
    /// ```
    pub fn logger(self, logger: impl Into<Dispatch>) -> Self {
        Self {
            logger: Some(logger.into()),
            ..self
        }
    }

    /// Checks the configuration and creates the aggregator.
    ///
    /// # Errors
    ///
    /// Returns [`BuildError::ZeroTimeout`] if the timeout is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use dashboard::{DashboardAggregator, MockService};
    ///
    /// let aggregator = DashboardAggregator::builder(MockService::profile(), MockService::order()).build();
    /// assert!(aggregator.is_ok());
    /// ```
    pub fn build(self) -> Result<DashboardAggregator<P, O>, BuildError> {
        if self.timeout.is_zero() {
            return Err(BuildError::ZeroTimeout);
        }
        Ok(DashboardAggregator {
            profile: Arc::new(self.profile),
            order: Arc::new(self.order),
            timeout: self.timeout,
            logger: self.logger,
        })
    }
}
