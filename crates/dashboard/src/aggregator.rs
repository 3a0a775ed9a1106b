//! [`DashboardAggregator`]: fetches a profile and an order concurrently, and fails fast.

use std::sync::Arc;
use std::time::Duration;

use errgroup::{Group, TaskHandle};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::Dispatch;
use tracing::instrument::WithSubscriber;

use crate::{Builder, Error, Service, ServiceKind};

/// Fetches a user's profile and order concurrently and joins them into one dashboard line,
/// `"<profile> | <order>"`, or fails fast on the first error, the timeout, or the caller's
/// cancellation.
///
/// Made by [`DashboardAggregator::builder`]. The aggregator is generic over its two
/// [`Service`]s; share one between tasks with an [`Arc`].
///
/// # No leftovers
///
/// When an aggregation returns, for any reason, both of its fetches have ended: each one is
/// stopped by the group's token and dropped, and the aggregation waits for both to end before
/// it returns.
///
/// # Logging
///
/// Each aggregation emits one event with the fields `id` and `elapsed`: `"fetched success"` at
/// the `INFO` level, or `"fetch failed"` at the `ERROR` level with the `error` (and the
/// `service`, if one failed). Each fetch also emits a `DEBUG` event, `"service answered"` or
/// `"fetch stopped"`, with `id`, `service` and `elapsed`. The events go to the aggregator's
/// [logger](Builder::logger) if it has one, otherwise to the application's subscriber.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// use dashboard::{DashboardAggregator, MockService};
/// use tokio::time::Instant;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let aggregator = DashboardAggregator::builder(MockService::profile(), MockService::order())
///     .timeout(Duration::from_secs(3))
///     .build()?;
///
/// let started = Instant::now();
/// assert_eq!(aggregator.aggregate("42").await?, "Name: Alice | Order: 5");
/// assert_eq!(started.elapsed(), Duration::from_secs(2)); // concurrent: the slower service's time
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct DashboardAggregator<P, O> {
    pub(crate) profile: Arc<P>,
    pub(crate) order: Arc<O>,
    pub(crate) timeout: Duration,
    pub(crate) logger: Option<Dispatch>,
}

impl<P: Service, O: Service> DashboardAggregator<P, O> {
    /// Starts configuring an aggregator that fetches from `profile` and `order`.
    ///
    /// # Examples
    ///
    /// ```
    /// use dashboard::{DashboardAggregator, MockService};
    ///
    /// let aggregator = DashboardAggregator::builder(MockService::profile(), MockService::order()).build()?;
    /// # Ok::<(), dashboard::BuildError>(())
    /// ```
    pub fn builder(profile: P, order: O) -> Builder<P, O> {
        Builder::new(profile, order)
    }

    /// Fetches the profile and the order of `id` concurrently, and returns
    /// `"<profile> | <order>"`.
    ///
    /// This is [`aggregate_with_token`](Self::aggregate_with_token) with a token that no one
    /// cancels.
    ///
    /// # Errors
    ///
    /// Returns the first failure, as soon as it happens, once the other fetch has been stopped:
    /// [`Error::Service`] if a service failed, [`Error::DeadlineExceeded`] if the timeout
    /// passed first.
    ///
    /// # Panics
    ///
    /// If a service panics, the panic resumes here once the other fetch has been stopped.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it completes aborts both fetches, but the runtime drops them
    /// only when it next schedules them, possibly after the drop returns. To stop an
    /// aggregation and know that nothing of it is left running, cancel the token given to
    /// [`aggregate_with_token`](Self::aggregate_with_token) and await the result instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use dashboard::{DashboardAggregator, MockService};
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let aggregator = DashboardAggregator::builder(MockService::profile(), MockService::order()).build()?;
    /// assert_eq!(aggregator.aggregate("42").await?, "Name: Alice | Order: 5");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn aggregate(&self, id: &str) -> Result<String, Error> {
        self.aggregate_with_token(id, &CancellationToken::new())
            .await
    }

    /// Fetches the profile and the order of `id` concurrently, and returns
    /// `"<profile> | <order>"`, unless `cancel` is cancelled first: Go's
    /// `Aggregate(ctx, id)`.
    ///
    /// # Errors
    ///
    /// Returns the first failure, as soon as it happens, once the other fetch has been stopped:
    /// [`Error::Service`] if a service failed, [`Error::DeadlineExceeded`] if the timeout
    /// passed first, [`Error::Cancelled`] if `cancel` was cancelled first (or before the call).
    ///
    /// # Panics
    ///
    /// If a service panics, the panic resumes here once the other fetch has been stopped.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it completes aborts both fetches, but the runtime drops them
    /// only when it next schedules them, possibly after the drop returns. Cancelling `cancel`
    /// and awaiting the result stops both fetches, and returns once they have ended.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// use dashboard::{DashboardAggregator, Error, MockService};
    /// use tokio_util::sync::CancellationToken;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), dashboard::BuildError> {
    /// let aggregator = DashboardAggregator::builder(MockService::profile(), MockService::order()).build()?;
    /// let shutdown = CancellationToken::new();
    /// tokio::spawn({
    ///     let shutdown = shutdown.clone();
    ///     async move {
    ///         tokio::time::sleep(Duration::from_secs(1)).await;
    ///         shutdown.cancel();
    ///     }
    /// });
    ///
    /// let error = aggregator.aggregate_with_token("42", &shutdown).await.unwrap_err();
    /// assert!(matches!(error, Error::Cancelled));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn aggregate_with_token(
        &self,
        id: &str,
        cancel: &CancellationToken,
    ) -> Result<String, Error> {
        let logger = self
            .logger
            .clone()
            .unwrap_or_else(|| tracing::dispatcher::get_default(Dispatch::clone));
        async {
            let started = Instant::now();
            let outcome = self.fetch_both(id, cancel).await;
            log_outcome(id, started.elapsed(), &outcome);
            outcome
        }
        .with_subscriber(logger)
        .await
    }

    /// Runs both fetches in one group, under the timeout, and waits for both to end.
    async fn fetch_both(&self, id: &str, cancel: &CancellationToken) -> Result<String, Error> {
        // The deadline, the caller and a failure all stop the fetches through the group's
        // token, and `wait` returns only once both have ended: none outlives this call.
        let group = errgroup::Builder::new()
            .parent(cancel)
            .timeout(self.timeout)
            .build();
        let id: Arc<str> = Arc::from(id);
        let profile = spawn_fetch(&group, ServiceKind::Profile, &self.profile, &id);
        let order = spawn_fetch(&group, ServiceKind::Order, &self.order, &id);
        match group.wait().await {
            Ok(outputs) => Ok(format!(
                "{} | {}",
                outputs.take(profile),
                outputs.take(order)
            )),
            Err(errgroup::Error::Task { error, .. }) => Err(error),
            Err(errgroup::Error::DeadlineExceeded { timeout }) => {
                Err(Error::DeadlineExceeded { timeout })
            }
            // `Cancelled`, or a way errgroup may add to be stopped from outside.
            Err(_) => Err(Error::Cancelled),
        }
    }
}

/// Spawns the fetch of `id` from `service` into `group`; the group's token stops it.
fn spawn_fetch<S: Service>(
    group: &Group<Error>,
    kind: ServiceKind,
    service: &Arc<S>,
    id: &Arc<str>,
) -> TaskHandle<String> {
    let service = Arc::clone(service);
    let id = Arc::clone(id);
    group.spawn_with_token(move |token| {
        async move {
            let started = Instant::now();
            let answer = token.run_until_cancelled(service.fetch(&id)).await;
            let (id, service, elapsed) = (&*id, kind.as_str(), started.elapsed());
            match answer {
                Some(Ok(answer)) => {
                    tracing::debug!(id, service, ?elapsed, "service answered");
                    Ok(answer)
                }
                Some(Err(source)) => Err(Error::Service {
                    service: kind,
                    source,
                }),
                None => {
                    tracing::debug!(id, service, ?elapsed, "fetch stopped");
                    // The group was already stopped, and reports its own cause, not this.
                    Err(Error::Cancelled)
                }
            }
        }
        .with_current_subscriber()
    })
}

/// Emits the aggregation's one event: success, or the error.
fn log_outcome(id: &str, elapsed: Duration, outcome: &Result<String, Error>) {
    match outcome {
        Ok(_) => tracing::info!(id, ?elapsed, "fetched success"),
        Err(error) => {
            let service = match error {
                Error::Service { service, .. } => Some(service.as_str()),
                _ => None,
            };
            let error: &(dyn std::error::Error + 'static) = error;
            tracing::error!(id, ?elapsed, service, error, "fetch failed");
        }
    }
}
