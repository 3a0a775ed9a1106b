//! The errors a group reports.

use std::fmt;

/// Why [`Group::wait`](crate::Group::wait) failed.
///
/// The group keeps only its *root cause*: the first thing that went wrong, by completion time.
/// Errors that tasks return after the group was cancelled are consequences of that cancellation
/// and are dropped, so a sibling's "I was cancelled" error never hides the error that caused it.
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
///     Err(Error::Task(message)) => assert_eq!(message, "disk full"),
///     other => panic!("expected the task's error, got {other:?}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E> {
    /// A task returned this error, and it was the group's first failure. The group cancelled its
    /// token when the task returned it.
    #[error(transparent)]
    Task(E),
    /// The group's token was cancelled from outside the group (its parent token was cancelled,
    /// or a holder of the token called [`cancel`](tokio_util::sync::CancellationToken::cancel))
    /// before every task had returned a value.
    #[error("the group was cancelled before all of its tasks finished")]
    Cancelled,
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
