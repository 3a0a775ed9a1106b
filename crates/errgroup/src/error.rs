//! [`Error`], why a group failed, and [`SpawnError`], why a group refused a task.

use std::fmt;
use std::time::Duration;

use crate::{Cause, TaskId};

/// Why a group failed: what [`Group::wait`](crate::Group::wait) returns instead of the tasks'
/// values.
///
/// `Error<E>` implements [`std::error::Error`] whenever `E` implements `Debug` and `Display`,
/// so `wait().await?` works in functions that return `anyhow::Result`, `Box<dyn Error + Send +
/// Sync>`, or any error type that converts from it. A task's error displays as itself.
///
/// # Examples
///
/// `?` in a function that returns a boxed error:
///
/// ```
/// use errgroup::Group;
///
/// async fn both() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
///     let group = Group::new();
///     group.spawn(async { Ok(()) });
///     group.spawn(async { Err::<(), _>(std::io::Error::other("disk full")) });
///     group.wait().await?;
///     Ok(())
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// assert_eq!(both().await.unwrap_err().to_string(), "disk full");
/// # }
/// ```
///
/// Back to the task's own error type, in a function that returns it: take the task's error
/// out, and turn the group's own failures (a deadline, a cancellation, a caught panic) into
/// one.
///
/// ```
/// use errgroup::Group;
///
/// async fn both() -> std::io::Result<()> {
///     let group = Group::new();
///     group.spawn(async { Err::<(), _>(std::io::Error::other("disk full")) });
///     group
///         .wait()
///         .await
///         .map_err(|error| error.into_task_error().unwrap_or_else(std::io::Error::other))?;
///     Ok(())
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// assert_eq!(both().await.unwrap_err().to_string(), "disk full");
/// # }
/// ```
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error<E> {
    /// A task returned `error`: the first to fail, by completion time.
    Task {
        /// The task that failed.
        task: TaskId,
        /// What it returned.
        error: E,
    },
    /// A task panicked, in a group built with [`Builder::catch_panics`](crate::Builder::catch_panics).
    Panicked {
        /// The task that panicked.
        task: TaskId,
        /// The panic's message, if it was a string.
        message: String,
    },
    /// The group's deadline passed before every task had returned a value.
    DeadlineExceeded {
        /// The timeout the group was built with (the time from `build` to the deadline).
        timeout: Duration,
    },
    /// The group was cancelled from outside, or a task was lost, before every task had
    /// returned a value.
    Cancelled {
        /// What cancelled it.
        cause: Cause,
    },
}

impl<E> Error<E> {
    /// Returns the task's error, if a task failed.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = errgroup::Group::new();
    /// group.spawn(async { Err::<(), _>("no such user") });
    /// let error = group.wait().await.unwrap_err();
    /// assert_eq!(error.task_error(), Some(&"no such user"));
    /// # }
    /// ```
    pub fn task_error(&self) -> Option<&E> {
        match self {
            Error::Task { error, .. } => Some(error),
            _ => None,
        }
    }

    /// Returns the task's error, or gives the group's own failure back.
    ///
    /// # Errors
    ///
    /// Returns `self` if no task returned an error (a deadline, a cancellation, a caught
    /// panic).
    ///
    /// # Examples
    ///
    /// See the [type's documentation](Error#examples).
    pub fn into_task_error(self) -> Result<E, Self> {
        match self {
            Error::Task { error, .. } => Ok(error),
            other => Err(other),
        }
    }
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Task { error, .. } => error.fmt(f),
            Error::Panicked { task, message } => write!(f, "{task} panicked: {message}"),
            Error::DeadlineExceeded { timeout } => write!(f, "deadline exceeded after {timeout:?}"),
            Error::Cancelled { cause } => {
                write!(
                    f,
                    "the group was cancelled before its tasks finished: {cause}"
                )
            }
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for Error<E> {}

/// A task the group did not accept, handed back: [`try_spawn`](crate::Group::try_spawn) found
/// every slot taken, or the group had already ended.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let group = errgroup::Builder::new().limit(1).build::<()>();
/// group.spawn(std::future::pending::<Result<(), ()>>());
/// let refused = group.try_spawn(async { Ok(1) }).unwrap_err();
/// assert!(matches!(refused, errgroup::SpawnError::Full(_)));
/// let task = refused.into_inner(); // the task, unpolled
/// # drop(task);
/// # }
/// ```
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum SpawnError<F> {
    /// Every slot of the limited group is taken.
    #[error("the group is full: every slot is taken")]
    Full(F),
    /// The group has ended: its `wait` returned, or it was dropped.
    #[error("the group has ended: its wait returned or it was dropped")]
    Closed(F),
}

impl<F> SpawnError<F> {
    /// Returns the task that was not accepted, never polled.
    pub fn into_inner(self) -> F {
        match self {
            SpawnError::Full(task) | SpawnError::Closed(task) => task,
        }
    }
}

impl<F> fmt::Debug for SpawnError<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            SpawnError::Full(_) => "Full",
            SpawnError::Closed(_) => "Closed",
        };
        f.debug_tuple(name).finish_non_exhaustive()
    }
}
