//! [`Builder`]: configures a group before it starts: parent token, limit, deadline, and how it
//! reports failure.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::deadline::Deadline;
use crate::limit::{Limit, Limited, Unlimited};
use crate::shared::{Options, Policy, Shared};
use crate::{AllErrors, ErrorMode, FirstError, Group};

/// Configures a [`Group`]: its parent token, limit, deadline, and how it reports failure.
///
/// `L` says whether the group has a limit ([`Unlimited`] or [`Limited`]) and `M` how it reports
/// failure ([`FirstError`] or [`AllErrors`]); both change the group's type, so the compiler knows
/// which `spawn` and which `wait` the group has.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// use errgroup::{Builder, Group, Limited};
/// use tokio_util::sync::CancellationToken;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let shutdown = CancellationToken::new();
/// let group: Group<std::io::Error, Limited> = Builder::new()
///     .name("crawler")
///     .parent(&shutdown)
///     .limit(8)
///     .timeout(Duration::from_secs(30))
///     .build();
/// # drop(group);
/// # }
/// ```
#[must_use = "a builder does nothing until `build` is called"]
pub struct Builder<L = Unlimited, M = FirstError> {
    parent: Option<CancellationToken>,
    limit: Option<usize>,
    deadline: Option<Deadline>,
    policy: Policy,
    name: Option<Cow<'static, str>>,
    kind: PhantomData<(L, M)>,
}

impl Builder {
    /// Starts a group with no parent token, no limit and no deadline, which resumes panics at
    /// `wait` and reports the first failure.
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
            deadline: None,
            policy: Policy::default(),
            name: None,
            kind: PhantomData,
        }
    }
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: ErrorMode> Builder<Unlimited, M> {
    /// Limits the group to `limit` tasks running at once: Go's `SetLimit`. The group's spawns
    /// then apply backpressure (they wait while `max(limit, 32)` tasks already wait for a slot;
    /// see [`Limited`]), and `try_spawn` refuses a task when no slot is free.
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
    /// tokio::task::yield_now().await; // the task starts and takes the one slot
    /// assert!(group.try_spawn(async { Ok(()) }).is_err());
    /// # }
    /// ```
    ///
    /// ```should_panic
    /// let group = errgroup::Builder::new().limit(0); // panics: a limit must be at least 1
    /// ```
    #[track_caller]
    pub fn limit(self, limit: usize) -> Builder<Limited, M> {
        assert!(limit > 0, "a group's limit must be at least 1, got 0");
        self.retype(Some(limit))
    }
}

impl<L: Limit> Builder<L, FirstError> {
    /// Makes the group keep every failure, not only the first: its `wait` returns
    /// [`Errors`](crate::Errors), the root cause first. Go's errgroup and tokio's `JoinSet` keep
    /// only one; this is for reports that list every failed task.
    ///
    /// Failures are kept only in such a group, so other groups pay nothing for it.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let group = errgroup::Builder::new().keep_all_errors().build();
    /// for (millis, error) in [(10, "first"), (20, "second")] {
    ///     group.spawn(async move {
    ///         tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
    ///         Err::<(), _>(error) // ignores the cancellation of the first failure
    ///     });
    /// }
    /// let errors = group.wait().await.unwrap_err();
    /// assert_eq!(errors.to_string(), "first (and 1 more error)");
    /// # }
    /// ```
    pub fn keep_all_errors(mut self) -> Builder<L, AllErrors> {
        self.policy.keep_all_errors = true;
        let limit = self.limit;
        self.retype(limit)
    }
}

impl<L: Limit, M: ErrorMode> Builder<L, M> {
    fn retype<L2, M2>(self, limit: Option<usize>) -> Builder<L2, M2> {
        Builder {
            parent: self.parent,
            limit,
            deadline: self.deadline,
            policy: self.policy,
            name: self.name,
            kind: PhantomData,
        }
    }

    /// Makes the group's token a child of `parent`: cancelling `parent` cancels the group, and
    /// the group failing does not cancel `parent`. This is Go's `errgroup.WithContext(ctx)`.
    ///
    /// Give a task's group token (or [`GroupHandle::token`](crate::GroupHandle::token)) as the
    /// parent to nest groups: a tree of groups then stops as one.
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
        self.parent = Some(parent.clone());
        self
    }

    /// Gives the group `timeout`, counted from this call: when it passes, the token is cancelled
    /// and `wait` returns [`Error::DeadlineExceeded`](crate::Error::DeadlineExceeded), unless the
    /// group failed first or every task has ended. Tasks that watch the token stop; `wait` still
    /// waits for those that do not (drop it, or use [`Group::shutdown`], to stop waiting).
    ///
    /// The deadline is fixed here; the timer task that enforces it is spawned with the group's
    /// first task (so the builder works outside a runtime) and ends with the group.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let group = errgroup::Builder::new().timeout(Duration::from_secs(1)).build();
    /// group.spawn_with_token(|token| async move {
    ///     token.cancelled().await; // a 2 s job, cut short at 1 s
    ///     Err::<(), _>("cancelled")
    /// });
    /// let error = group.wait().await.unwrap_err();
    /// assert_eq!(error.to_string(), "deadline exceeded after 1s");
    /// # }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.deadline = Some(Deadline::after(timeout));
        self
    }

    /// Gives the group until `deadline`; see [`timeout`](Builder::timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// use tokio::time::Instant;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let deadline = Instant::now() + Duration::from_millis(500);
    /// let group = errgroup::Builder::new().deadline(deadline).build::<()>();
    /// group.spawn(std::future::pending::<Result<(), ()>>());
    /// group.token().cancelled().await;
    /// assert_eq!(Instant::now(), deadline);
    /// # }
    /// ```
    pub fn deadline(mut self, deadline: tokio::time::Instant) -> Self {
        self.deadline = Some(Deadline::at(deadline));
        self
    }

    /// Makes the group turn a panicking task into
    /// [`Error::Panicked`](crate::Error::Panicked), with the task and the panic message, instead
    /// of resuming the panic at `wait`. For servers that must not unwind.
    ///
    /// # Examples
    ///
    /// ```
    /// use errgroup::{Error, named};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = errgroup::Builder::new().catch_panics().build::<&str>();
    /// group.spawn(named("parser", async { panic!("bad input") as Result<(), _> }));
    /// let error = group.wait().await.unwrap_err();
    /// assert_eq!(error.to_string(), "task 0 (parser) panicked: bad input");
    /// # }
    /// ```
    pub fn catch_panics(mut self) -> Self {
        self.policy.catch_panics = true;
        self
    }

    /// Names the group, for its `tracing` span (with the `tracing` feature).
    ///
    /// # Examples
    ///
    /// ```
    /// let group = errgroup::Builder::new().name("fetchers").build::<()>();
    /// # drop(group);
    /// ```
    pub fn name(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.name = Some(name.into());
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
    pub fn build<E>(self) -> Group<E, L, M> {
        Group::from_shared(Shared::new(Options {
            parent: self.parent,
            limit: self.limit,
            deadline: self.deadline,
            policy: self.policy,
            name: self.name,
        }))
    }
}

impl<L: Limit, M: ErrorMode> fmt::Debug for Builder<L, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("parent", &self.parent.is_some())
            .field("limit", &self.limit)
            .field("deadline", &self.deadline)
            .field("policy", &self.policy)
            .field("name", &self.name)
            .finish()
    }
}
