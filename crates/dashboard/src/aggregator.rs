//! [`DashboardAggregator`]: fetches a profile and an order concurrently, and fails fast.

use std::sync::Arc;
use std::time::Duration;

use errgroup::{CancellationToken, Group, TaskHandle};
use tokio::time::Instant;
use tracing::Dispatch;

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
/// When an aggregation returns, for any reason, both of its fetches have ended: a failure, the
/// deadline and the caller's token all stop them through the group's token, and the aggregation
/// waits for both to end before it returns.
///
/// # Logging
///
/// Each aggregation emits one event with the fields `id` and `elapsed`: `"fetched success"` at
/// the `INFO` level, or `"fetch failed"` at the `ERROR` level with the `error` (and the
/// `service`, if one failed). The event goes to the aggregator's [logger](Builder::logger) if
/// it has one, otherwise to the application's subscriber.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// use dashboard::{CancellationToken, DashboardAggregator, MockService};
/// use tokio::time::Instant;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let aggregator = DashboardAggregator::builder(MockService::profile(), MockService::order())
///     .timeout(Duration::from_secs(3))
///     .build()?;
///
/// let started = Instant::now();
/// let dashboard = aggregator.aggregate("42", &CancellationToken::new()).await?;
/// assert_eq!(dashboard, "Name: Alice | Order: 5");
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
    /// `"<profile> | <order>"`, unless `cancel` is cancelled first: Go's `Aggregate(ctx, id)`.
    ///
    /// Pass a new [`CancellationToken`] where Go passes `context.Background()`. Cancelling
    /// `cancel` stops this aggregation; a failure here does not cancel `cancel`.
    ///
    /// # Errors
    ///
    /// Returns the first failure, as soon as it happens, once the other fetch has been stopped:
    /// [`Error::Service`] if a service failed, [`Error::DeadlineExceeded`] if the timeout
    /// passed first, [`Error::Cancelled`] if `cancel` was cancelled first (or before the call).
    ///
    /// # Panics
    ///
    /// Panics outside a tokio runtime with timers. If a service panics, the panic resumes here
    /// once the other fetch has been stopped.
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
    /// use dashboard::{CancellationToken, DashboardAggregator, Error, MockService};
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
    /// let error = aggregator.aggregate("42", &shutdown).await.unwrap_err();
    /// assert!(matches!(error, Error::Cancelled));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn aggregate(&self, id: &str, cancel: &CancellationToken) -> Result<String, Error> {
        let started = Instant::now();
        let outcome = self.fetch_both(id, cancel).await;
        let log = || log_outcome(id, started.elapsed(), &outcome);
        match &self.logger {
            Some(logger) => tracing::dispatcher::with_default(logger, log),
            None => log(),
        }
        outcome
    }

    /// Runs both fetches in one group, under the timeout, and waits for both to end.
    async fn fetch_both(&self, id: &str, cancel: &CancellationToken) -> Result<String, Error> {
        // `context.WithTimeout` and `errgroup.WithContext` in one: the deadline starts counting
        // now, and the caller's token is the parent. Nothing to `defer cancel()`: dropping the
        // group cancels it.
        let group = errgroup::Builder::new()
            .parent(cancel)
            .timeout(self.timeout)
            .build();
        let profile = spawn_fetch(&group, ServiceKind::Profile, &self.profile, id);
        let order = spawn_fetch(&group, ServiceKind::Order, &self.order, id);
        // No shared error variable: the first error comes out of `wait`, each value out of its
        // handle.
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
            // The caller's token; or the runtime shutting down under the fetches.
            Err(_) => Err(Error::Cancelled),
        }
    }
}

/// Spawns the fetch of `id` from `service` into `group`, which stops it when cancelled.
fn spawn_fetch<S: Service>(
    group: &Group<Error>,
    kind: ServiceKind,
    service: &Arc<S>,
    id: &str,
) -> TaskHandle<String> {
    let (service, id, token) = (Arc::clone(service), id.to_owned(), group.token().clone());
    group.spawn(async move {
        // Dropping the fetch stops it: the mock's `case <-ctx.Done()`, once for every service.
        match token.run_until_cancelled(service.fetch(&id)).await {
            Some(answer) => answer.map_err(|source| Error::Service {
                service: kind,
                source,
            }),
            // The group was stopped already, and reports its own cause, not this.
            None => Err(Error::Cancelled),
        }
    })
}

/// Emits the aggregation's one event: success, or the error.
fn log_outcome(id: &str, elapsed: Duration, outcome: &Result<String, Error>) {
    match outcome {
        Ok(_) => tracing::info!(id, ?elapsed, "fetched success"),
        Err(error) => {
            let service = match error {
                Error::Service { service, .. } => Some(tracing::field::display(service)),
                _ => None,
            };
            let error: &(dyn std::error::Error + 'static) = error;
            tracing::error!(id, ?elapsed, service, error, "fetch failed");
        }
    }
}
