//! The [`Service`] trait that the aggregator fetches from, and the [`ServiceKind`] that names
//! each of its two services.

use std::fmt;
use std::future::Future;

/// The error a [`Service`] fails with: any error that can cross threads.
///
/// # Examples
///
/// ```
/// let error: dashboard::BoxError = "connection refused".into();
/// assert_eq!(error.to_string(), "connection refused");
/// ```
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A backend the dashboard fetches one line of text from, by id: the profile service or the
/// order service.
///
/// Both services have the same shape, so one trait serves both; the aggregator's
/// [builder](crate::DashboardAggregator::builder) says which is which. [`MockService`] is the
/// original's mock; a real client implements this trait to replace it.
///
/// The aggregator is generic over its services (static dispatch), so an implementation can use
/// a plain `async fn`, and its future only has to be [`Send`], to run on any tokio runtime.
///
/// # Cancellation
///
/// A fetch is stopped by dropping its future, the way Rust cancels futures: at the deadline,
/// when the other service fails, or when the caller cancels. A fetch needs no token, but should
/// release what it holds when dropped at an `.await` (as tokio's I/O types and timers do).
///
/// # Examples
///
/// A service with a table of answers:
///
/// ```
/// use std::collections::HashMap;
///
/// use dashboard::{BoxError, CancellationToken, DashboardAggregator, MockService, Service};
///
/// struct Profiles(HashMap<&'static str, &'static str>);
///
/// impl Service for Profiles {
///     async fn fetch(&self, id: &str) -> Result<String, BoxError> {
///         let name = self.0.get(id).ok_or_else(|| format!("no profile for {id}"))?;
///         Ok(format!("Name: {name}"))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let profiles = Profiles(HashMap::from([("7", "Bob")]));
/// let aggregator = DashboardAggregator::builder(profiles, MockService::order()).build()?;
///
/// let background = CancellationToken::new();
/// assert_eq!(aggregator.aggregate("7", &background).await?, "Name: Bob | Order: 5");
/// let error = aggregator.aggregate("8", &background).await.unwrap_err();
/// assert_eq!(std::error::Error::source(&error).unwrap().to_string(), "no profile for 8");
/// # Ok(())
/// # }
/// ```
///
/// [`MockService`]: crate::MockService
pub trait Service: Send + Sync + 'static {
    /// Fetches the line of text this service holds for `id`.
    ///
    /// # Errors
    ///
    /// Returns the service's own error; the aggregator reports it as
    /// [`Error::Service`](crate::Error::Service), naming this service.
    ///
    /// # Cancel safety
    ///
    /// Implementations should be cancel safe: the aggregator drops the future to stop a fetch.
    ///
    /// # Examples
    ///
    /// ```
    /// use dashboard::{MockService, Service};
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), dashboard::BoxError> {
    /// assert_eq!(MockService::order().fetch("42").await?, "Order: 5");
    /// # Ok(())
    /// # }
    /// ```
    fn fetch(&self, id: &str) -> impl Future<Output = Result<String, BoxError>> + Send;
}

/// Which of the dashboard's two services: in errors, and in log events as the `service` field.
///
/// # Examples
///
/// ```
/// use dashboard::ServiceKind;
///
/// assert_eq!(ServiceKind::Profile.to_string(), "profile");
/// assert_eq!(ServiceKind::Order.to_string(), "order");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceKind {
    /// The profile service: `"Name: Alice"` in the original.
    Profile,
    /// The order service: `"Order: 5"` in the original.
    Order,
}

impl fmt::Display for ServiceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Profile => "profile",
            Self::Order => "order",
        })
    }
}
