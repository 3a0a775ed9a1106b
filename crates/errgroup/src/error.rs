//! The errors a group reports.

use std::fmt;
use std::time::Duration;

use crate::TaskInfo;

/// Why [`Group::wait`](crate::Group::wait) failed.
///
/// The group keeps only its *root cause*: the first thing that went wrong, by completion time.
/// Errors that tasks return after the group was cancelled are consequences of that cancellation
/// and are dropped (a group built with [`Builder::keep_all_errors`](crate::Builder::keep_all_errors)
/// keeps them behind the root cause), so a sibling's "I was cancelled" error never hides the
/// error that caused it.
///
/// A task's error displays as itself, as Go's `Wait` returns it unchanged; the variant also says
/// which task returned it.
///
/// # Examples
///
/// ```
/// use errgroup::{Error, Group};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let group = Group::new();
/// group.spawn(async { Err::<(), _>("disk full") });
///
/// match group.wait().await {
///     Err(Error::Task { error, task }) => {
///         assert_eq!(error, "disk full");
///         assert_eq!(task.id().as_u64(), 0);
///     }
///     other => panic!("expected the task's error, got {other:?}"),
/// }
/// # }
/// ```
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error<E> {
    /// A task returned this error, and it was the group's first failure. The group cancelled its
    /// token when the task returned it.
    Task {
        /// The task that returned the error.
        task: TaskInfo,
        /// The error, as the task returned it.
        error: E,
    },
    /// A task panicked, in a group built with
    /// [`Builder::catch_panics`](crate::Builder::catch_panics). (Other groups resume the panic
    /// in the caller of `wait` instead.)
    Panicked {
        /// The task that panicked.
        task: TaskInfo,
        /// The panic's message, if it was a string; otherwise `"Box<dyn Any>"`.
        message: String,
    },
    /// The group's deadline passed before every task had ended
    /// ([`Builder::timeout`](crate::Builder::timeout)).
    DeadlineExceeded {
        /// How long the group had, from its creation to its deadline.
        timeout: Duration,
    },
    /// The group's token was cancelled from outside the group (its parent token, a holder of the
    /// token, or [`Group::shutdown`](crate::Group::shutdown)) before every task had returned a
    /// value. [`Group::cause`](crate::Group::cause) tells which.
    Cancelled,
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Task { error, .. } => error.fmt(f),
            Error::Panicked { task, message } => write!(f, "{task} panicked: {message}"),
            Error::DeadlineExceeded { timeout } => write!(f, "deadline exceeded after {timeout:?}"),
            Error::Cancelled => {
                f.write_str("the group was cancelled before all of its tasks finished")
            }
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // Transparent: the task's error displays as itself, so its source comes next.
            Error::Task { error, .. } => error.source(),
            _ => None,
        }
    }
}

/// The error of a `try_spawn` into a group whose slots are all taken; it gives the task back.
///
/// # Examples
///
/// ```
/// use errgroup::Builder;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let group = Builder::new().limit(1).build::<()>();
/// group.try_spawn(std::future::pending::<Result<(), ()>>()).expect("one slot is free");
///
/// let refused = group.try_spawn(async { Ok::<_, ()>("later") }).unwrap_err();
/// assert_eq!(refused.to_string(), "the group is full: all of its slots are taken");
/// let task_back = refused.into_inner();
/// # drop(task_back);
/// # }
/// ```
#[derive(thiserror::Error)]
#[error("the group is full: all of its slots are taken")]
pub struct TrySpawnError<F> {
    task: F,
}

impl<F> TrySpawnError<F> {
    pub(crate) fn new(task: F) -> Self {
        Self { task }
    }

    /// Returns the task that was not spawned, to retry later or run elsewhere.
    ///
    /// # Examples
    ///
    /// ```
    /// use errgroup::Builder;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = Builder::new().limit(1).build::<()>();
    /// group.try_spawn(async { Ok(()) }).expect("one slot is free");
    /// if let Err(full) = group.try_spawn(async { Ok(()) }) {
    ///     // Wait for a slot instead.
    ///     group.spawn(full.into_inner()).await;
    /// }
    /// assert!(group.wait().await.is_ok());
    /// # }
    /// ```
    pub fn into_inner(self) -> F {
        self.task
    }
}

impl<F> fmt::Debug for TrySpawnError<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrySpawnError").finish_non_exhaustive()
    }
}
