//! [`Builder`]: configures a group's parent token and limit before it starts.

use std::fmt;
use std::marker::PhantomData;

use tokio_util::sync::CancellationToken;

use crate::Group;
use crate::limit::{Limit, Limited, Unlimited};
use crate::shared::Shared;

/// Configures a [`Group`]: its parent token and its limit.
///
/// # Examples
///
/// ```
/// use errgroup::{Builder, Group, Limited};
/// use tokio_util::sync::CancellationToken;
///
/// let shutdown = CancellationToken::new();
/// let group: Group<std::io::Error, Limited> = Builder::new().parent(&shutdown).limit(8).build();
/// # drop(group);
/// ```
#[must_use = "a builder does nothing until `build` is called"]
pub struct Builder<L = Unlimited> {
    parent: Option<CancellationToken>,
    limit: Option<usize>,
    kind: PhantomData<L>,
}

impl Builder {
    /// Starts a group with no parent token and no limit.
    ///
    /// # Examples
    ///
    /// ```
    /// let group = errgroup::Builder::new().build::<()>();
    /// assert!(!group.token().is_cancelled());
    /// ```
    pub fn new() -> Self {
        Self {
            parent: None,
            limit: None,
            kind: PhantomData,
        }
    }

    /// Limits the group to `limit` tasks running at once: Go's `SetLimit`. The group's spawns
    /// then wait for a free slot, and `try_spawn` refuses a task when none is free.
    ///
    /// # Panics
    ///
    /// Panics if `limit` is 0: no task could ever run, so every spawn would wait forever.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = errgroup::Builder::new().limit(1).build::<()>();
    /// group.spawn(std::future::pending::<Result<(), ()>>()).await;
    /// assert!(group.try_spawn(async { Ok(()) }).is_err()); // the one slot is taken
    /// # }
    /// ```
    ///
    /// ```should_panic
    /// let group = errgroup::Builder::new().limit(0); // panics: a limit must be at least 1
    /// ```
    #[track_caller]
    pub fn limit(self, limit: usize) -> Builder<Limited> {
        assert!(limit > 0, "a group's limit must be at least 1, got 0");
        Builder {
            parent: self.parent,
            limit: Some(limit),
            kind: PhantomData,
        }
    }
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl<L: Limit> Builder<L> {
    /// Makes the group's token a child of `parent`: cancelling `parent` cancels the group, and
    /// the group failing does not cancel `parent`. This is Go's `errgroup.WithContext(ctx)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use tokio_util::sync::CancellationToken;
    ///
    /// let parent = CancellationToken::new();
    /// let group = errgroup::Builder::new().parent(&parent).build::<()>();
    /// group.token().cancel();
    /// assert!(!parent.is_cancelled());
    /// ```
    pub fn parent(mut self, parent: &CancellationToken) -> Self {
        self.parent = Some(parent.child_token());
        self
    }

    /// Creates the group. Tasks are spawned on the tokio runtime current at each spawn.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), errgroup::Error<()>> {
    /// let group = errgroup::Builder::new().limit(4).build();
    /// let task = group.spawn(async { Ok("done") }).await;
    /// assert_eq!(group.wait().await?.take(task), "done");
    /// # Ok(())
    /// # }
    /// ```
    pub fn build<E>(self) -> Group<E, L> {
        let token = self.parent.unwrap_or_default();
        Group::from_shared(Shared::new(token, self.limit))
    }
}

impl<L: Limit> fmt::Debug for Builder<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("parent", &self.parent.is_some())
            .field("limit", &self.limit)
            .finish()
    }
}
