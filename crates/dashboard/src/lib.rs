//! The fail-fast data aggregator: fetch a user's profile and order concurrently, under a
//! timeout, and return both or the first failure at once, with nothing left running.
//!
//! # Examples
//!
//! The original's three stories, with its mock services: the profile answers after 2 s, the
//! order after 500 ms.
//!
//! ```
//! use std::time::Duration;
//!
//! use dashboard::{CancellationToken, DashboardAggregator, Error, MockService, ServiceKind};
//! use tokio::time::Instant;
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let background = CancellationToken::new(); // Go's context.Background()
//!
//! // A 3 s timeout: both answer, and the call takes as long as the slower service.
//! let aggregator = DashboardAggregator::builder(MockService::profile(), MockService::order())
//!     .timeout(Duration::from_secs(3))
//!     .build()?;
//! let started = Instant::now();
//! assert_eq!(aggregator.aggregate("42", &background).await?, "Name: Alice | Order: 5");
//! assert_eq!(started.elapsed(), Duration::from_secs(2));
//!
//! // A 1 s timeout: the call fails at the deadline, without waiting for the profile.
//! let impatient = DashboardAggregator::builder(MockService::profile(), MockService::order())
//!     .timeout(Duration::from_secs(1))
//!     .build()?;
//! let started = Instant::now();
//! let error = impatient.aggregate("42", &background).await.unwrap_err();
//! assert_eq!(error.to_string(), "deadline exceeded after 1s");
//! assert_eq!(started.elapsed(), Duration::from_secs(1));
//!
//! // The order fails after 100 ms: the call fails then, and the profile fetch is stopped.
//! let order = MockService::order().with_latency(Duration::from_millis(100)).failing_with("connection refused");
//! let broken = DashboardAggregator::builder(MockService::profile(), order).build()?;
//! let started = Instant::now();
//! let error = broken.aggregate("42", &background).await.unwrap_err();
//! assert!(matches!(error, Error::Service { service: ServiceKind::Order, .. }));
//! assert_eq!(started.elapsed(), Duration::from_millis(100));
//! # Ok(())
//! # }
//! ```
//!
//! # From Go
//!
//! | Go | this crate |
//! |---|---|
//! | `NewDashboardAggregator(WithTimeout(d), WithLogger(l))` | [`DashboardAggregator::builder(profile, order)`](DashboardAggregator::builder)`.timeout(d).logger(l).build()?` |
//! | `agg.Aggregate(ctx, id)` | [`aggregator.aggregate(id, &token)`](DashboardAggregator::aggregate), with a [`CancellationToken`] for the `ctx` |
//! | `context.DeadlineExceeded` | [`Error::DeadlineExceeded`], which says the timeout |
//! | `context.Canceled` | [`Error::Cancelled`] |
//! | a service's error | [`Error::Service`], which names the service and keeps its error as the source |
//! | `*slog.Logger` | [`tracing`]: the aggregator's own [`Dispatch`](tracing::Dispatch), or the application's subscriber |
//! | the mock services | [`MockService`], behind the [`Service`] trait |
//!
//! # The original's three flaws, fixed
//!
//! - **The data race on `err`.** Both goroutines assign one shared error variable. Here each
//!   fetch returns its value or its error from its [`errgroup`] task: the first error comes out
//!   of the group's `wait`, each value out of its task's handle, and there is nothing shared to
//!   write.
//! - **A zero default timeout.** Go's zero `time.Duration` made every call fail at once. Here
//!   the default is [`DEFAULT_TIMEOUT`], and [`build`](Builder::build) refuses a zero timeout
//!   with [`BuildError::ZeroTimeout`].
//! - **A logger option without a logger.** The original calls `WithLogger()` with none. Here
//!   [`logger`](Builder::logger) takes one; without it, events go to the application's
//!   subscriber.
//!
//! Nothing is left to `defer`, either: the group that runs the two fetches owns the deadline
//! and cancels its token when it is dropped, and every aggregation returns only once both
//! fetches have ended.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod aggregator;
mod builder;
mod error;
mod mock;
mod service;

pub use aggregator::DashboardAggregator;
pub use builder::{Builder, DEFAULT_TIMEOUT};
pub use error::{BuildError, Error};
pub use mock::MockService;
pub use service::{BoxError, Service, ServiceKind};

/// The token a caller passes to [`DashboardAggregator::aggregate`] to stop it: Go's
/// `context.Context`, re-exported from [`errgroup`] so that callers need no other crate.
pub use errgroup::CancellationToken;
