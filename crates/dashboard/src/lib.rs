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
//! use dashboard::{DashboardAggregator, Error, MockService, ServiceKind};
//! use tokio::time::Instant;
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A 3 s timeout: both answer, and the call takes as long as the slower service.
//! let aggregator = DashboardAggregator::builder(MockService::profile(), MockService::order())
//!     .timeout(Duration::from_secs(3))
//!     .build()?;
//! let started = Instant::now();
//! assert_eq!(aggregator.aggregate("42").await?, "Name: Alice | Order: 5");
//! assert_eq!(started.elapsed(), Duration::from_secs(2));
//!
//! // A 1 s timeout: the call fails at the deadline, without waiting for the profile.
//! let impatient = DashboardAggregator::builder(MockService::profile(), MockService::order())
//!     .timeout(Duration::from_secs(1))
//!     .build()?;
//! let started = Instant::now();
//! let error = impatient.aggregate("42").await.unwrap_err();
//! assert_eq!(error.to_string(), "deadline exceeded after 1s");
//! assert_eq!(started.elapsed(), Duration::from_secs(1));
//!
//! // The order fails after 100 ms: the call fails then, and the profile fetch is stopped.
//! let order = MockService::order().with_latency(Duration::from_millis(100)).failing_with("connection refused");
//! let broken = DashboardAggregator::builder(MockService::profile(), order).build()?;
//! let started = Instant::now();
//! let error = broken.aggregate("42").await.unwrap_err();
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
//! | `agg.Aggregate(ctx, id)` | [`aggregate_with_token(id, &token)`](DashboardAggregator::aggregate_with_token), or [`aggregate(id)`](DashboardAggregator::aggregate) |
//! | `context.DeadlineExceeded` | [`Error::DeadlineExceeded`], which says the timeout |
//! | `context.Canceled` | [`Error::Cancelled`] |
//! | a service's error | [`Error::Service`], which names the service and keeps its error as the source |
//! | `*slog.Logger` | [`tracing`]: the aggregator's own [`Dispatch`](tracing::Dispatch), or the application's subscriber |
//! | the mock services | [`MockService`], behind the [`Service`] trait |
//!
//! The port leaves out three flaws of the original: the two fetches do not share an error
//! variable (each task's result comes out of the [`errgroup`] group), the default timeout is
//! not zero ([`DEFAULT_TIMEOUT`], and a zero timeout is refused by
//! [`build`](Builder::build)), and a logger cannot be given without a logger.

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
