//! [`Group`]: the owner of a set of tasks, which waits for them and reports the first failure.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::shared::Shared;
use crate::{Builder, Cause, Error, GroupHandle, Outputs, SpawnError, TaskHandle, TaskId};

/// A set of tasks that fail together: [`wait`](Group::wait) returns the first error, and the
/// group's [`CancellationToken`] is cancelled as soon as a task fails, so the others can stop
/// early. Go's `errgroup.Group` as `errgroup.WithContext` makes it.
///
/// Every group has the same methods; [`Builder`] chooses its options at run time (a limit, a
/// parent token, a deadline, what to do with panics and errors).
///
/// # Spawning
///
/// | method | when the group has a [limit](Builder::limit) and every slot is taken |
/// |---|---|
/// | [`spawn`](Group::spawn) | queues the task; it starts when a slot frees |
/// | [`try_spawn`](Group::try_spawn) | hands the task back (Go's `TryGo`) |
/// | [`spawn_with_backpressure`](Group::spawn_with_backpressure) | waits while the queue is long (Go's `Go` under `SetLimit`) |
///
/// A group without a limit starts every task at once, whichever method spawns it. A task
/// spawned with any of them either runs, or is handed back, or makes `wait` fail: a task the
/// group accepted is never lost silently. Tasks that spawn more tasks use a
/// [`GroupHandle`].
///
/// # When the token is cancelled
///
/// The group's [token](Group::token) is cancelled the first time one of these happens, and
/// [`cause`](Group::cause) says which:
///
/// 1. a task returns an error (unless the group [keeps all errors](Builder::keep_all_errors))
///    or panics;
/// 2. the deadline passes ([`Builder::timeout`]);
/// 3. `wait` has seen every task end, so a task that kept the token knows the group is over;
/// 4. the group, or the future returned by `wait`, is dropped;
/// 5. the parent token is cancelled, or someone calls
///    [`cancel`](CancellationToken::cancel) on the token.
///
/// A task whose first poll comes after the group was cancelled never runs: its future is
/// dropped unpolled, and `wait` fails because the task owed a value. A task spawned before a
/// failure may therefore be skipped too, if the failure comes before the runtime first polls
/// it.
///
/// # Drop
///
/// Dropping a `Group` (or the future returned by [`wait`](Group::wait)) cancels its token,
/// aborts every task still running and drops every queued one, as dropping a
/// [`JoinSet`](tokio::task::JoinSet) does. An aborted task is never polled again, even one
/// that ignores the token. With the `tracing` feature, dropping a group whose failure nobody
/// waited for logs a warning.
///
/// # Examples
///
/// Fetch several pages concurrently and fail fast: the broken one fails, the slow one sees the
/// token and stops, and `wait` returns the first error.
///
/// ```
/// use std::time::Duration;
///
/// use errgroup::{CancellationToken, Group};
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
///     group.spawn(fetch(url, group.token().clone()));
/// }
/// let error = group.wait().await.unwrap_err();
/// assert_eq!(error.to_string(), "http://b.example/broken: 404 not found");
/// # }
/// ```
pub struct Group<E> {
    shared: Arc<Shared<E>>,
}

impl<E: Send + 'static> Group<E> {
    /// Creates a group with no limit and a token of its own: Go's
    /// `errgroup.WithContext(context.Background())`.
    ///
    /// Where the error type cannot be inferred from the tasks, name it here
    /// (`Group::<std::io::Error>::new()`) or on the variable (`let group: Group<MyError>`).
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

    /// Creates a group with no limit whose token is a child of `parent`: Go's
    /// `errgroup.WithContext(ctx)`. See [`Builder::parent`].
    ///
    /// # Examples
    ///
    /// ```
    /// use errgroup::{CancellationToken, Group};
    ///
    /// let shutdown = CancellationToken::new();
    /// let group = Group::<()>::with_parent(&shutdown);
    /// shutdown.cancel();
    /// assert!(group.token().is_cancelled());
    /// ```
    pub fn with_parent(parent: &CancellationToken) -> Self {
        Builder::new().parent(parent).build()
    }

    pub(crate) fn from_shared(shared: Arc<Shared<E>>) -> Self {
        Self { shared }
    }

    pub(crate) fn shared(&self) -> &Shared<E> {
        &self.shared
    }

    /// Returns the group's cancellation token: the `ctx` of Go's `errgroup.WithContext`. See
    /// [When the token is cancelled](Group#when-the-token-is-cancelled).
    ///
    /// Tasks that should stop early hold a clone and watch it.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = errgroup::Group::new();
    /// let token = group.token().clone();
    /// group.spawn(async move {
    ///     token.cancelled().await; // stops when a sibling fails
    ///     Ok(())
    /// });
    /// group.spawn(async { Err::<(), _>("failed") });
    /// assert!(group.wait().await.is_err());
    /// # }
    /// ```
    pub fn token(&self) -> &CancellationToken {
        self.shared.token()
    }

    /// Returns why the group's token was cancelled, or `None` while it is not: Go's
    /// `context.Cause`. See [`Cause`].
    pub fn cause(&self) -> Option<Cause> {
        self.shared.cause()
    }

    /// Returns a cloneable handle that spawns into this group, for tasks that spawn more tasks
    /// (Go's `g.Go` inside a goroutine) and producers that run elsewhere.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), errgroup::Error<()>> {
    /// let group = errgroup::Group::new();
    /// let handle = group.handle();
    /// let outer = group.spawn(async move {
    ///     let inner = handle.spawn(async { Ok(2) }).expect("the group waits for this task");
    ///     Ok(inner)
    /// });
    /// let outputs = group.wait().await?; // waits for the inner task too
    /// let inner = outputs.take(outer);
    /// assert_eq!(outputs.take(inner), 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn handle(&self) -> GroupHandle<E> {
        GroupHandle::new(Arc::clone(&self.shared))
    }

    /// Spawns `task` as a task of this group and returns a handle to its value: Go's `g.Go`.
    ///
    /// In a group without a limit the task is handed to the runtime at once. In a limited group
    /// it is handed to a worker at once if a slot is free, and otherwise waits in the group's
    /// queue, in spawn order. Either way, if the group is cancelled before the task's first
    /// poll, the task never runs and `wait` fails (see
    /// [When the token is cancelled](Group#when-the-token-is-cancelled)).
    ///
    /// # Panics
    ///
    /// Panics if called outside a tokio runtime, as [`tokio::spawn`] does. A spawn that
    /// panicked leaves no trace in the group.
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
    pub fn spawn<F, T>(&self, task: F) -> TaskHandle<T>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
    {
        self.spawn_accepted(task)
    }

    /// Spawns `task` if it can start now, and hands it back otherwise: Go's `TryGo`. A group
    /// without a limit always accepts.
    ///
    /// # Errors
    ///
    /// Returns [`SpawnError::Full`], holding `task` unpolled, if the group is limited and
    /// every slot is taken.
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
    /// let group = errgroup::Builder::new().limit(1).build::<()>();
    /// let (release, released) = tokio::sync::oneshot::channel::<()>();
    /// group.try_spawn(async move {
    ///     let _ = released.await;
    ///     Ok(())
    /// }).expect("the slot is free");
    ///
    /// let refused = group.try_spawn(async { Ok(()) }).unwrap_err();
    /// release.send(()).unwrap();
    /// tokio::task::yield_now().await; // the first task ends and frees its slot
    /// assert!(group.try_spawn(refused.into_inner()).is_ok());
    /// # }
    /// ```
    #[track_caller]
    pub fn try_spawn<F, T>(&self, task: F) -> Result<TaskHandle<T>, SpawnError<F>>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
    {
        self.shared.try_spawn(task)
    }

    /// Spawns `task` after waiting while the group's queue is long: Go's `g.Go` on a group
    /// with `SetLimit`, which blocks the producer. A producer of a million tasks that spawns
    /// them this way never holds more than `max(limit, 32)` queued ones, plus one per producer
    /// racing for the last place; add up to `limit` tasks handed to a worker and not yet polled
    /// for everything unstarted.
    ///
    /// A group without a limit has no queue: this spawns at once. The wait ends early if the
    /// group is cancelled; the task is then accepted and never runs, and `wait` fails.
    ///
    /// A task that spawns into its own group this way while the queue is full waits for room;
    /// if every running task does that, they wait on each other until the group is cancelled
    /// (as Go's `Go` does inside a goroutine of a full group). Tasks spawn with
    /// [`spawn`](Group::spawn) instead.
    ///
    /// # Panics
    ///
    /// Panics if called outside a tokio runtime, as [`tokio::spawn`] does.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped before it completes, `task` is dropped unspawned.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), errgroup::Error<std::io::Error>> {
    /// let group = errgroup::Builder::new().limit(4).build();
    /// for n in 0..1_000_u64 {
    ///     // Never more than 32 tasks (max(limit, 32)) wait in the queue.
    ///     group.spawn_with_backpressure(async move { Ok(n * n) }).await;
    /// }
    /// group.wait().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn spawn_with_backpressure<F, T>(&self, task: F) -> TaskHandle<T>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
    {
        self.shared.wait_for_room().await;
        self.spawn_accepted(task)
    }

    #[track_caller]
    fn spawn_accepted<F, T>(&self, task: F) -> TaskHandle<T>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
    {
        match self.shared.spawn(task) {
            Ok(handle) => handle,
            Err(_) => unreachable!("a group is open while its owner holds it"),
        }
    }

    /// Waits until every task of the group has ended, including tasks spawned meanwhile, then
    /// cancels the token and returns the [`Outputs`] that redeem the tasks' handles.
    ///
    /// `wait` waits for *every* task, also after a failure: tasks that watch the token stop
    /// early, and tasks that ignore it run to their end. To stop waiting, drop the returned
    /// future (for example with [`tokio::time::timeout`]): that aborts the tasks still
    /// running. Or use [`shutdown`](Group::shutdown).
    ///
    /// # Errors
    ///
    /// Returns the group's first failure by completion time:
    ///
    /// - [`Error::Task`]: a task returned an error;
    /// - [`Error::Panicked`]: a task panicked, in a group built with
    ///   [`Builder::catch_panics`];
    /// - [`Error::DeadlineExceeded`]: the group's deadline passed before every task had
    ///   returned a value;
    /// - [`Error::Cancelled`]: the token was cancelled from outside, or a task was lost,
    ///   before every task had returned a value.
    ///
    /// The errors siblings return after the first failure (for example "cancelled") never
    /// replace it.
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
    /// every task still running or queued is dropped, so nothing of the group outlives it.
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
    /// // Give up after one second: the task is aborted, not left behind.
    /// let gave_up = tokio::time::timeout(Duration::from_secs(1), group.wait()).await;
    /// assert!(gave_up.is_err());
    /// # }
    /// ```
    pub async fn wait(self) -> Result<Outputs, Error<E>> {
        self.wait_all()
            .await
            .map_err(|mut errors| errors.swap_remove(0))
    }

    /// Waits as [`wait`](Group::wait) does, and returns every failure the group kept: all the
    /// task errors in a group built with [`Builder::keep_all_errors`], in completion order,
    /// and otherwise the first failure alone.
    ///
    /// # Errors
    ///
    /// Returns the failures, never an empty vector; see [`wait`](Group::wait).
    ///
    /// # Panics
    ///
    /// As [`wait`](Group::wait).
    ///
    /// # Cancel safety
    ///
    /// As [`wait`](Group::wait).
    ///
    /// # Examples
    ///
    /// See [`Builder::keep_all_errors`].
    pub async fn wait_all(self) -> Result<Outputs, Vec<Error<E>>> {
        self.shared.span.instrument(self.shared.finish()).await
    }

    /// Shuts the group down: cancels its token ([`Cause::ShutDown`]), gives the tasks `grace`
    /// to end, then aborts those still running and drops the queued ones, and reports both.
    ///
    /// # Panics
    ///
    /// Panics outside a tokio runtime with timers, as [`tokio::time::timeout`] does; and as
    /// [`wait`](Group::wait) does if a task panicked.
    ///
    /// # Cancel safety
    ///
    /// As [`wait`](Group::wait): dropping the future drops the group.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let group = errgroup::Group::<()>::new();
    /// let token = group.token().clone();
    /// group.spawn(async move {
    ///     token.cancelled().await; // stops when told
    ///     Ok(())
    /// });
    /// let stubborn = group.spawn(std::future::pending::<Result<(), ()>>()); // never stops by itself
    /// tokio::task::yield_now().await; // both tasks start
    ///
    /// let shutdown = group.shutdown(Duration::from_secs(5)).await;
    /// assert_eq!(shutdown.aborted, [stubborn.id()]);
    /// assert!(shutdown.result.is_err()); // the stubborn task delivered no value
    /// # }
    /// ```
    pub async fn shutdown(self, grace: Duration) -> Shutdown<E> {
        let shared = &self.shared;
        shared.cancel(Cause::ShutDown);
        if tokio::time::timeout(grace, shared.idle()).await.is_err() {
            shared.abort_running();
        }
        let result = shared.finish().await;
        Shutdown {
            aborted: shared.take_aborted(),
            result: result.map_err(|mut errors| errors.swap_remove(0)),
        }
    }
}

impl<E: Send + 'static> Default for Group<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Drop for Group<E> {
    fn drop(&mut self) {
        if self.shared.close_and_abort() {
            self.shared.span.warn_unobserved_failure();
        }
    }
}

impl<E> fmt::Debug for Group<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Group")
            .field("live_tasks", &self.shared.live())
            .field("cancelled", &self.shared.token().is_cancelled())
            .finish_non_exhaustive()
    }
}

/// What [`Group::shutdown`] did: the tasks it aborted, and how the group ended.
#[derive(Debug)]
#[non_exhaustive]
pub struct Shutdown<E> {
    /// The tasks still running when the grace period ended, which were aborted, in id order.
    pub aborted: Vec<TaskId>,
    /// What [`wait`](Group::wait) would have returned.
    pub result: Result<Outputs, Error<E>>,
}
