//! [`Builder`]: every option of a group, chosen at run time.

use std::borrow::Cow;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::Group;
use crate::shared::{Deadline, Options, Shared};

/// Builds a [`Group`] with options: a limit, a parent token, a deadline, a name, and what to do
/// with panics and errors.
///
/// Every option returns the same `Builder`, so options can come from configuration:
///
/// ```
/// use std::time::Duration;
///
/// use errgroup::{Builder, Group};
///
/// struct Config {
///     workers: Option<usize>,
///     timeout: Option<Duration>,
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), errgroup::Error<std::io::Error>> {
/// let config = Config { workers: Some(4), timeout: Some(Duration::from_secs(30)) };
/// let mut builder = Builder::new().name("indexer");
/// if let Some(workers) = config.workers {
///     builder = builder.limit(workers);
/// }
/// if let Some(timeout) = config.timeout {
///     builder = builder.timeout(timeout);
/// }
/// let group: Group<std::io::Error> = builder.build();
/// group.spawn(async { Ok(()) });
/// group.wait().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct Builder {
    options: Options,
}

impl Builder {
    /// Creates a builder for a group with no limit, no parent, no deadline, that fails fast and
    /// resumes panics at `wait`: what [`Group::new`] builds.
    pub fn new() -> Self {
        Self::default()
    }

    /// At most `limit` tasks of the group run at once: Go's `SetLimit`.
    ///
    /// The others wait in a queue and start in the order they were spawned, each as soon as a
    /// running one ends. [`spawn`](Group::spawn) queues, [`try_spawn`](Group::try_spawn)
    /// refuses when every slot is taken, and
    /// [`spawn_with_backpressure`](Group::spawn_with_backpressure) waits while the queue is
    /// long.
    ///
    /// # Running on workers
    ///
    /// A limited group runs its tasks on at most `limit` runtime tasks of its own, its
    /// *workers*: a worker runs one task to its end, then the next queued one, so a task costs
    /// a queue push and pop rather than a `tokio::spawn`. What a task's code may notice:
    /// [`tokio::task::id()`] is its worker's id, shared by the tasks that worker runs one after
    /// another. A worker whose tasks never wait yields to the runtime from time to time, as
    /// tokio's own resources do.
    ///
    /// # Panics
    ///
    /// Panics if `limit` is 0: such a group could never run a task.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), errgroup::Error<()>> {
    /// let group = errgroup::Builder::new().limit(3).build();
    /// let running = Arc::new(AtomicUsize::new(0));
    /// let most = Arc::new(AtomicUsize::new(0));
    /// for _ in 0..20 {
    ///     let (running, most) = (Arc::clone(&running), Arc::clone(&most));
    ///     group.spawn(async move {
    ///         most.fetch_max(running.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
    ///         tokio::task::yield_now().await;
    ///         running.fetch_sub(1, Ordering::SeqCst);
    ///         Ok(())
    ///     });
    /// }
    /// group.wait().await?;
    /// assert_eq!(most.load(Ordering::SeqCst), 3);
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn limit(mut self, limit: usize) -> Self {
        assert!(limit > 0, "a group's limit must be at least 1");
        self.options.limit = Some(limit);
        self
    }

    /// Makes the group's token a child of `parent`: cancelling `parent` cancels the group
    /// ([`Cause::ParentCancelled`](crate::Cause::ParentCancelled)), and the group failing does
    /// not cancel `parent`. Go's `errgroup.WithContext(ctx)`.
    ///
    /// Nested groups stop as one this way: a group whose parent is another group's token stops
    /// when the outer group fails.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let outer = errgroup::Group::<&str>::new();
    /// let inner = errgroup::Builder::new().parent(outer.token()).build::<&str>();
    /// outer.spawn(async { Err::<(), _>("outer failed") });
    /// inner.token().cancelled().await;
    /// assert_eq!(inner.cause(), Some(errgroup::Cause::ParentCancelled));
    /// # }
    /// ```
    pub fn parent(mut self, parent: &CancellationToken) -> Self {
        self.options.parent = Some(parent.clone());
        self
    }

    /// Gives the group a deadline `timeout` after [`build`](Builder::build): then its token is
    /// cancelled, and `wait` fails with [`Error::DeadlineExceeded`](crate::Error) unless every
    /// task had already returned. A timeout too large to represent means no deadline, as with
    /// [`tokio::time::timeout`].
    ///
    /// The deadline is cooperative: `wait` still waits for tasks that ignore the token. Drop
    /// the `wait` future (or use [`Group::shutdown`]) for a hard bound.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let group = errgroup::Builder::new().timeout(Duration::from_secs(1)).build();
    /// let token = group.token().clone();
    /// group.spawn(async move {
    ///     token.cancelled().await; // a slow fetch that stops when told
    ///     Err::<(), _>("cancelled")
    /// });
    /// let error = group.wait().await.unwrap_err();
    /// assert_eq!(error.to_string(), "deadline exceeded after 1s");
    /// # }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.deadline = Some(Deadline::After(timeout));
        self
    }

    /// Gives the group a deadline at the instant `deadline`; otherwise as
    /// [`timeout`](Builder::timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use tokio::time::Instant;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let at = Instant::now() + Duration::from_secs(5);
    /// let group = errgroup::Builder::new().deadline(at).build::<()>();
    /// group.spawn(async { Ok(()) });
    /// assert!(group.wait().await.is_ok());
    /// # }
    /// ```
    pub fn deadline(mut self, deadline: Instant) -> Self {
        self.options.deadline = Some(Deadline::At(deadline));
        self
    }

    /// Makes a task's panic an [`Error::Panicked`](crate::Error::Panicked) value, instead of
    /// resuming it at `wait`. It still cancels the group.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = errgroup::Builder::new().catch_panics().build::<&str>();
    /// group.spawn(async { panic!("bug") as Result<(), &str> });
    /// let error = group.wait().await.unwrap_err();
    /// assert_eq!(error.to_string(), "task 0 panicked: bug");
    /// # }
    /// ```
    pub fn catch_panics(mut self) -> Self {
        self.options.catch_panics = true;
        self
    }

    /// Keeps every task's error instead of failing fast: a task error does not cancel the
    /// token, every task runs to its end, and [`Group::wait_all`] returns every error in
    /// completion order. A panic, the deadline, or an outside cancellation still cancels the
    /// group, and the errors tasks return after that are not kept (they are its consequence).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = errgroup::Builder::new().keep_all_errors().build();
    /// for line in ["1", "x", "3", "y"] {
    ///     group.spawn(async move { line.parse::<u32>().map_err(|_| format!("bad line {line}")) });
    /// }
    /// let errors = group.wait_all().await.unwrap_err();
    /// let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    /// assert_eq!(messages, ["bad line x", "bad line y"]);
    /// # }
    /// ```
    pub fn keep_all_errors(mut self) -> Self {
        self.options.keep_all_errors = true;
        self
    }

    /// Names the group in its `tracing` span (with the `tracing` feature).
    ///
    /// # Examples
    ///
    /// ```
    /// let group = errgroup::Builder::new().name("fetch-dashboard").build::<()>();
    /// # drop(group);
    /// ```
    pub fn name(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.options.name = Some(name.into());
        self
    }

    /// Builds the group. The deadline, if any, starts counting now.
    ///
    /// # Panics
    ///
    /// With a deadline or timeout, panics if called outside a tokio runtime or on one without
    /// timers, as [`tokio::time::sleep`] does. Without one, it may be called anywhere.
    ///
    /// # Examples
    ///
    /// ```
    /// let group: errgroup::Group<std::io::Error> = errgroup::Builder::new().limit(8).build();
    /// # drop(group);
    /// ```
    #[track_caller]
    pub fn build<E: Send + 'static>(self) -> Group<E> {
        Group::from_shared(Shared::new(self.options))
    }
}
