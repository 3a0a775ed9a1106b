//! [`Group`]: the owner of a set of tasks, which waits for them and reports the first failure.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::limit::{Limit, Unlimited};
use crate::shared::Shared;
use crate::{Builder, Cause, ErrorMode, FirstError, GroupHandle, Outputs, Task, TaskHandle};

/// A set of tasks that fail together: [`wait`](Group::wait) returns the first error, and the
/// group's [`CancellationToken`] is cancelled as soon as any task fails, so the others can stop
/// early.
///
/// This is Go's `errgroup.Group` as created by `errgroup.WithContext`, with the holes that Go
/// leaves to discipline closed by the type system:
///
/// - **Results come out by handle.** Each spawn returns a [`TaskHandle`]; a successful `wait`
///   returns the [`Outputs`] that redeem them. No `Arc<Mutex<_>>` to collect results.
/// - **`wait` consumes the group**, so spawning into a group that was waited on, or reusing its
///   cancelled token by mistake, does not compile.
/// - **Dropping the group aborts its tasks.** Forgetting to wait leaks nothing.
/// - **Panics are not lost.** A panicking task cancels the token and the panic resumes in the
///   caller of `wait`, as with [`std::thread::scope`].
/// - **Limits are typed.** A group built with [`Builder::limit`] has an `async` spawn that waits
///   for a free slot, and a `try_spawn`; an unlimited group spawns at once.
///
/// # When the token is cancelled
///
/// The group's [token](Group::token) is cancelled the first time one of these happens:
///
/// 1. a task returns an error or panics;
/// 2. `wait` has seen every task end (so a task handed the token knows the group is over);
/// 3. the group, or the future returned by `wait`, is dropped;
/// 4. the parent token given to [`Group::with_parent`] or [`Builder::parent`] is cancelled, or
///    someone calls [`cancel`](CancellationToken::cancel) on the token.
///
/// A task spawned after its group was cancelled never runs: its body is dropped unpolled.
///
/// # Examples
///
/// Fetch several things concurrently and fail fast: the first error cancels the token, the
/// slow fetch sees it and stops, and `wait` returns that first error.
///
/// ```
/// use std::time::Duration;
///
/// use errgroup::{Error, Group};
/// use tokio_util::sync::CancellationToken;
///
/// async fn fetch(url: &str, token: CancellationToken) -> Result<String, String> {
///     let latency = if url.ends_with("slow") { 60 } else { 1 };
///     tokio::select! {
///         () = tokio::time::sleep(Duration::from_secs(latency)) => {}
///         () = token.cancelled() => return Err(format!("{url}: cancelled")),
///     }
///     if url.ends_with("broken") {
///         return Err(format!("{url}: 404 not found"));
///     }
///     Ok(format!("<html>{url}</html>"))
/// }
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let group = Group::new();
/// for url in ["http://a.example/slow", "http://b.example/broken"] {
///     group.spawn_with_token(move |token| fetch(url, token));
/// }
///
/// match group.wait().await {
///     Err(Error::Task { error, .. }) => assert_eq!(error, "http://b.example/broken: 404 not found"),
///     other => panic!("unexpected {other:?}"),
/// }
/// # }
/// ```
///
/// # Drop
///
/// Dropping a `Group` (or the future returned by [`wait`](Group::wait)) cancels its token and
/// aborts every task still running, as dropping a [`JoinSet`](tokio::task::JoinSet) does. An
/// aborted task is never polled again, even one that ignores the token. If a task had failed
/// and nobody waited to see it, the `tracing` feature logs a warning.
pub struct Group<E, L = Unlimited, M = FirstError> {
    pub(crate) handle: GroupHandle<E, L>,
    mode: PhantomData<M>,
}

impl<E> Group<E> {
    /// Creates a group with no limit and a token of its own.
    ///
    /// This is Go's `errgroup.WithContext(context.Background())`.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = errgroup::Group::<std::io::Error>::new();
    /// assert!(!group.token().is_cancelled());
    /// assert!(group.wait().await.is_ok());
    /// # }
    /// ```
    pub fn new() -> Self {
        Builder::new().build()
    }

    /// Creates a group with no limit whose token is a child of `parent`: cancelling `parent`
    /// cancels the group, and the group failing does not cancel `parent`.
    ///
    /// This is Go's `errgroup.WithContext(ctx)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use tokio_util::sync::CancellationToken;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let shutdown = CancellationToken::new();
    /// let group = errgroup::Group::<()>::with_parent(&shutdown);
    ///
    /// shutdown.cancel();
    /// assert!(group.token().is_cancelled());
    /// # }
    /// ```
    pub fn with_parent(parent: &CancellationToken) -> Self {
        Builder::new().parent(parent).build()
    }
}

impl<E> Default for Group<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E, L: Limit, M: ErrorMode> Group<E, L, M> {
    pub(crate) fn from_shared(shared: Shared<E>) -> Self {
        Self {
            handle: GroupHandle::new(Arc::new(shared)),
            mode: PhantomData,
        }
    }

    /// Returns the group's cancellation token: the `ctx` of Go's `errgroup.WithContext`.
    ///
    /// See [When the token is cancelled](Group#when-the-token-is-cancelled). Tasks that should
    /// stop early watch it; [`spawn_with_token`](Group::spawn_with_token) hands each task a
    /// clone.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = errgroup::Group::new();
    /// let token = group.token().clone();
    /// group.spawn(async { Err::<(), _>("failed") });
    ///
    /// token.cancelled().await; // the failure cancelled it
    /// assert!(group.wait().await.is_err());
    /// # }
    /// ```
    pub fn token(&self) -> &CancellationToken {
        self.handle.token()
    }

    /// Returns a cloneable handle that spawns into this group, for tasks that spawn more tasks
    /// (Go's `g.Go` inside a goroutine) or producers that run elsewhere.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), errgroup::Error<()>> {
    /// let group = errgroup::Group::new();
    /// let handle = group.handle();
    /// let outer = group.spawn(async move {
    ///     let inner = handle.spawn(async { Ok(2) });
    ///     Ok(inner)
    /// });
    ///
    /// let outputs = group.wait().await?; // waits for the inner task too
    /// let inner = outputs.take(outer);
    /// assert_eq!(outputs.take(inner), 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn handle(&self) -> GroupHandle<E, L> {
        self.handle.clone()
    }

    /// Waits until every task of the group has ended, including tasks spawned while waiting,
    /// then cancels the token and returns the [`Outputs`] that redeem the tasks' handles.
    ///
    /// `wait` waits for *every* task, also after a failure: tasks that watch the token stop
    /// early, and tasks that ignore it run to their end. To stop waiting, drop the returned
    /// future (for example with `tokio::time::timeout`); that aborts the tasks still running.
    ///
    /// # Errors
    ///
    /// Returns the group's first failure by completion time ([`Errors`](crate::Errors), with
    /// every failure, in a group built with [`Builder::keep_all_errors`]):
    ///
    /// - [`Error::Task`](crate::Error::Task): a task returned an error;
    /// - [`Error::Panicked`](crate::Error::Panicked): a task panicked, in a group built with
    ///   [`Builder::catch_panics`];
    /// - [`Error::DeadlineExceeded`](crate::Error::DeadlineExceeded): the group's deadline
    ///   passed;
    /// - [`Error::Cancelled`](crate::Error::Cancelled): the token was cancelled from outside the
    ///   group before every task had returned a value.
    ///
    /// # Panics
    ///
    /// If a task panicked, `wait` resumes the first panic (with
    /// [`std::panic::resume_unwind`]) once every other task has ended, even if a task also
    /// returned an error; unless the group was built with [`Builder::catch_panics`].
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it completes drops the group: the token is cancelled and
    /// every task still running is aborted, so nothing of the group outlives it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let group = errgroup::Group::<()>::new();
    /// group.spawn(async {
    ///     tokio::time::sleep(Duration::from_secs(10)).await;
    ///     Ok(())
    /// });
    ///
    /// // Give up after one second: the task is aborted, not left behind.
    /// let gave_up = tokio::time::timeout(Duration::from_secs(1), group.wait()).await;
    /// assert!(gave_up.is_err());
    /// # }
    /// ```
    pub async fn wait(self) -> Result<Outputs, M::Failure<E>> {
        let shared = self.handle.shared();
        let ended = shared.span.instrument(shared.close_when_idle()).await;
        ended.finish::<M>(shared.id).await
    }

    /// Returns why the group's token was cancelled, or `None` while it is not: Go's
    /// `context.Cause`.
    ///
    /// # Examples
    ///
    /// ```
    /// use errgroup::{Cause, Group};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = Group::new();
    /// assert_eq!(group.cause(), None);
    /// group.spawn(async { Err::<(), _>("boom") });
    /// group.token().cancelled().await;
    /// assert_eq!(group.cause(), Some(Cause::TaskFailed));
    /// # }
    /// ```
    pub fn cause(&self) -> Option<Cause> {
        self.handle.cause()
    }
}

impl<E: Send + 'static, M: ErrorMode> Group<E, Unlimited, M> {
    /// Spawns `task` onto the current tokio runtime as a task of this group, and returns a
    /// handle to its value.
    ///
    /// The task starts at once, unless the group was already cancelled: then it never runs and
    /// `wait` reports the group's failure.
    ///
    /// # Panics
    ///
    /// Panics if called outside a tokio runtime, as [`tokio::spawn`] does.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), errgroup::Error<std::num::ParseIntError>> {
    /// let group = errgroup::Group::new();
    /// let number = group.spawn(async { "42".parse::<u32>() });
    /// assert_eq!(group.wait().await?.take(number), 42);
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn<T: Task<E>>(&self, task: T) -> TaskHandle<T::Output> {
        self.handle.spawn(task)
    }

    /// Spawns the future that `task` makes from a clone of the group's token: Go's
    /// `g.Go(func() error { return work(ctx) })` without a clone at every call site.
    ///
    /// Otherwise the same as [`spawn`](Group::spawn).
    ///
    /// # Panics
    ///
    /// Panics if called outside a tokio runtime, as [`tokio::spawn`] does.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = errgroup::Group::new();
    /// group.spawn_with_token(|token| async move {
    ///     token.cancelled().await; // stops when a sibling fails
    ///     Err::<(), _>("stopped early")
    /// });
    /// group.spawn(async { Err::<(), _>("failed") });
    ///
    /// assert_eq!(group.wait().await.unwrap_err().to_string(), "failed");
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn_with_token<F, T>(&self, task: F) -> TaskHandle<T::Output>
    where
        F: FnOnce(CancellationToken) -> T,
        T: Task<E>,
    {
        self.handle.spawn_with_token(task)
    }
}

impl<E, L, M> Drop for Group<E, L, M> {
    fn drop(&mut self) {
        let shared = self.handle.shared();
        if shared.close_and_abort() {
            shared.span.warn_unobserved_failure();
        }
    }
}

impl<E, L: Limit, M: ErrorMode> fmt::Debug for Group<E, L, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Group")
            .field("live_tasks", &self.handle.shared().live())
            .field("cancelled", &self.token().is_cancelled())
            .finish_non_exhaustive()
    }
}
