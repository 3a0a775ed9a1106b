//! What `wait` reports on failure: the first error ([`FirstError`], the default, as in Go), or
//! every error ([`AllErrors`], with [`Builder::keep_all_errors`](crate::Builder::keep_all_errors)).

use std::fmt;

use crate::Error;

/// How a group reports failure: [`FirstError`] or [`AllErrors`]. Sealed.
///
/// # Examples
///
/// Code generic over the mode names what `wait` fails with as `M::Failure<E>`:
///
/// ```
/// use errgroup::{ErrorMode, Group, Limit};
///
/// async fn succeeded<E, L: Limit, M: ErrorMode>(group: Group<E, L, M>) -> bool {
///     group.wait().await.is_ok()
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// assert!(succeeded(Group::<()>::new()).await);
/// assert!(succeeded(errgroup::Builder::new().keep_all_errors().build::<()>()).await);
/// # }
/// ```
pub trait ErrorMode: sealed::Sealed + Send + Sync + 'static {
    /// What `wait` returns on failure.
    type Failure<E>;

    /// Whether the group keeps the failures after the first.
    #[doc(hidden)]
    const KEEPS_ALL: bool;

    /// Builds the failure from the root cause and the failures after it.
    #[doc(hidden)]
    fn failure<E>(first: Error<E>, later: Vec<Error<E>>) -> Self::Failure<E>;
}

/// The default mode: `wait` returns the first failure as an [`Error`], as Go's `Wait` does.
///
/// # Examples
///
/// ```
/// use errgroup::{FirstError, Group, Unlimited};
///
/// let group: Group<std::io::Error, Unlimited, FirstError> = Group::new(); // the defaults
/// # drop(group);
/// ```
#[derive(Debug)]
pub enum FirstError {}

/// The mode of [`Builder::keep_all_errors`](crate::Builder::keep_all_errors): `wait` returns
/// every failure as [`Errors`], first one first.
///
/// # Examples
///
/// ```
/// use errgroup::{AllErrors, Builder, Group, Unlimited};
///
/// let group: Group<std::io::Error, Unlimited, AllErrors> = Builder::new().keep_all_errors().build();
/// # drop(group);
/// ```
#[derive(Debug)]
pub enum AllErrors {}

impl ErrorMode for FirstError {
    type Failure<E> = Error<E>;
    const KEEPS_ALL: bool = false;

    fn failure<E>(first: Error<E>, _later: Vec<Error<E>>) -> Error<E> {
        first
    }
}

impl ErrorMode for AllErrors {
    type Failure<E> = Errors<E>;
    const KEEPS_ALL: bool = true;

    fn failure<E>(first: Error<E>, mut later: Vec<Error<E>>) -> Errors<E> {
        later.insert(0, first);
        Errors { all: later }
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::FirstError {}
    impl Sealed for super::AllErrors {}
}

/// Every failure of a group built with
/// [`Builder::keep_all_errors`](crate::Builder::keep_all_errors), in the order they happened:
/// the root cause first, then each error a task returned after it, including the errors tasks
/// returned because the group was cancelled. Tasks spawned after the group was cancelled never
/// run, so they add no error.
///
/// Never empty.
///
/// # Examples
///
/// ```
/// use errgroup::{Builder, Error};
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let group = Builder::new().keep_all_errors().build();
/// for shard in 0..3 {
///     group.spawn(async move {
///         // Every shard starts before the first one fails, and ignores the cancellation.
///         tokio::time::sleep(std::time::Duration::from_millis(shard + 1)).await;
///         if shard == 1 { Ok(()) } else { Err(shard) }
///     });
/// }
/// let errors = group.wait().await.unwrap_err();
/// let failed: Vec<_> = errors.iter().filter_map(|e| match e {
///     Error::Task { error, .. } => Some(*error),
///     _ => None,
/// }).collect();
/// assert_eq!(failed, [0, 2]);
/// # }
/// ```
#[derive(Debug)]
pub struct Errors<E> {
    all: Vec<Error<E>>,
}

impl<E> Errors<E> {
    /// Returns the root cause: what a [`FirstError`] group would have returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = errgroup::Builder::new().keep_all_errors().build();
    /// group.spawn(async { Err::<(), _>("first") });
    /// let errors = group.wait().await.unwrap_err();
    /// assert_eq!(errors.first().to_string(), "first");
    /// # }
    /// ```
    pub fn first(&self) -> &Error<E> {
        &self.all[0]
    }

    /// Returns how many failures there were (at least one).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let group = errgroup::Builder::new().keep_all_errors().build();
    /// for (millis, error) in [(1, "one"), (2, "two")] {
    ///     group.spawn(async move {
    ///         tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
    ///         Err::<(), _>(error)
    ///     });
    /// }
    /// assert_eq!(group.wait().await.unwrap_err().len(), 2);
    /// # }
    /// ```
    #[allow(clippy::len_without_is_empty, reason = "never empty")]
    pub fn len(&self) -> usize {
        self.all.len()
    }

    /// Iterates over the failures, first one first.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let group = errgroup::Builder::new().keep_all_errors().build();
    /// for (millis, error) in [(1, "one"), (2, "two")] {
    ///     group.spawn(async move {
    ///         tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
    ///         Err::<(), _>(error)
    ///     });
    /// }
    /// let messages: Vec<String> = group.wait().await.unwrap_err().iter().map(|e| e.to_string()).collect();
    /// assert_eq!(messages, ["one", "two"]);
    /// # }
    /// ```
    pub fn iter(&self) -> std::slice::Iter<'_, Error<E>> {
        self.all.iter()
    }

    /// Returns the failures as a vector, first one first.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = errgroup::Builder::new().keep_all_errors().build();
    /// group.spawn(async { Err::<(), _>("only") });
    /// assert_eq!(group.wait().await.unwrap_err().into_vec().len(), 1);
    /// # }
    /// ```
    pub fn into_vec(self) -> Vec<Error<E>> {
        self.all
    }
}

impl<E> IntoIterator for Errors<E> {
    type Item = Error<E>;
    type IntoIter = std::vec::IntoIter<Error<E>>;

    fn into_iter(self) -> Self::IntoIter {
        self.all.into_iter()
    }
}

impl<'a, E> IntoIterator for &'a Errors<E> {
    type Item = &'a Error<E>;
    type IntoIter = std::slice::Iter<'a, Error<E>>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<E: fmt::Display> fmt::Display for Errors<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.first().fmt(f)?;
        match self.all.len() - 1 {
            0 => Ok(()),
            1 => f.write_str(" (and 1 more error)"),
            more => write!(f, " (and {more} more errors)"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for Errors<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(self.first())
    }
}
