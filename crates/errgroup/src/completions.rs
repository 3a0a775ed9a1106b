//! [`Completions`]: a group whose task values come out one by one, in completion order.

use std::fmt;
use std::future::Future;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::{Error, Group, Limit, Limited, Named, Task, TaskId, Unlimited};

/// A group whose tasks all return the same type, read one by one as they complete, like
/// [`JoinSet::join_next`](tokio::task::JoinSet::join_next), with the group's fail-fast rules.
///
/// [`next`](Completions::next) returns each task's value as soon as the task succeeds. When a
/// task fails, the token is cancelled as in any group; `next` goes on returning the values of
/// the tasks that succeed (those that completed first, and those that ignore the token), then
/// the first failure once every task has ended, then `None`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// use errgroup::Completions;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), errgroup::Error<std::io::Error>> {
/// let mut mirrors = Completions::new();
/// for (mirror, millis) in [("slow", 300), ("fast", 100), ("medium", 200)] {
///     mirrors.spawn(async move {
///         tokio::time::sleep(Duration::from_millis(millis)).await;
///         Ok(mirror)
///     });
/// }
///
/// let mut order = Vec::new();
/// while let Some(mirror) = mirrors.next().await {
///     order.push(mirror?);
/// }
/// assert_eq!(order, ["fast", "medium", "slow"]);
/// # Ok(())
/// # }
/// ```
pub struct Completions<T, E, L = Unlimited> {
    group: Group<E, L>,
    sender: mpsc::UnboundedSender<T>,
    values: mpsc::UnboundedReceiver<T>,
    failed: bool,
}

impl<T: Send + 'static, E: Send + 'static> Completions<T, E> {
    /// Creates an empty set of tasks with a token of its own.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let mut tasks = errgroup::Completions::<u32, ()>::new();
    /// assert!(tasks.next().await.is_none());
    /// # }
    /// ```
    pub fn new() -> Self {
        Self::from(Group::new())
    }

    /// Spawns `task`; its value comes out of [`next`](Completions::next) when it succeeds.
    /// Returns the task's id.
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
    /// let mut tasks = errgroup::Completions::<u32, ()>::new();
    /// tasks.spawn(async { Ok(7) });
    /// assert_eq!(tasks.next().await, Some(Ok(7)));
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn<F: Task<E, Output = T>>(&self, task: F) -> TaskId {
        self.group.spawn(self.sending(task)).id()
    }

    /// Spawns the future that `task` makes from a clone of the group's token.
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
    /// let mut tasks = errgroup::Completions::<bool, ()>::new();
    /// tasks.spawn_with_token(|token| async move { Ok(token.is_cancelled()) });
    /// assert_eq!(tasks.next().await, Some(Ok(false)));
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn_with_token<F, U>(&self, task: F) -> TaskId
    where
        F: FnOnce(CancellationToken) -> U,
        U: Task<E, Output = T>,
    {
        self.spawn(task(self.token().clone()))
    }
}

impl<T: Send + 'static, E: Send + 'static> Completions<T, E, Limited> {
    /// Spawns `task` into the limited group, waiting while its backlog is full, as
    /// [`Group::<E, Limited>::spawn`](Group#method.spawn-1) does: results as they complete, from
    /// at most `limit` tasks at a time. Returns the task's id.
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
    /// use errgroup::{Builder, Completions};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), errgroup::Error<()>> {
    /// let mut squares = Completions::from(Builder::new().limit(4).build());
    /// for n in 1..=10_u64 {
    ///     squares.spawn(async move { Ok(n * n) }).await;
    /// }
    /// let mut sum = 0;
    /// while let Some(square) = squares.next().await {
    ///     sum += square?;
    /// }
    /// assert_eq!(sum, 385);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn spawn<F: Task<E, Output = T>>(&self, task: F) -> TaskId {
        self.group.spawn(self.sending(task)).await.id()
    }

    /// Spawns the future that `task` makes from a clone of the group's token, waiting while the
    /// backlog is full.
    ///
    /// # Panics
    ///
    /// Panics if called outside a tokio runtime, as [`tokio::spawn`] does.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped before it completes, `task` is dropped uncalled.
    ///
    /// # Examples
    ///
    /// ```
    /// use errgroup::{Builder, Completions};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let mut tasks = Completions::<bool, (), _>::from(Builder::new().limit(1).build());
    /// tasks.spawn_with_token(|token| async move { Ok(token.is_cancelled()) }).await;
    /// assert_eq!(tasks.next().await, Some(Ok(false)));
    /// # }
    /// ```
    pub async fn spawn_with_token<F, U>(&self, task: F) -> TaskId
    where
        F: FnOnce(CancellationToken) -> U,
        U: Task<E, Output = T>,
    {
        self.spawn(task(self.token().clone())).await
    }
}

impl<T: Send + 'static, E: Send + 'static, L: Limit> Completions<T, E, L> {
    /// Wraps `task` so that its value goes to [`next`](Completions::next), under its own name.
    fn sending<F: Task<E, Output = T>>(
        &self,
        task: F,
    ) -> Named<impl Future<Output = Result<(), E>> + Send + 'static> {
        let (future, name) = task.into_parts();
        let sender = self.sender.clone();
        Named::with_name(name, async move {
            // The receiver lives as long as the group, so the send only fails after a drop.
            let _ = sender.send(future.await?);
            Ok(())
        })
    }

    /// Returns the group's token; see [`Group::token`].
    ///
    /// # Examples
    ///
    /// ```
    /// let tasks = errgroup::Completions::<(), ()>::new();
    /// assert!(!tasks.token().is_cancelled());
    /// ```
    pub fn token(&self) -> &CancellationToken {
        self.group.token()
    }

    /// Waits for the next task to succeed and returns its value; returns `None` when no task is
    /// left.
    ///
    /// After a failure, it returns the values of the tasks that still succeed, then the failure
    /// (once every task has ended, as [`Group::wait`] does), then `None` for good.
    /// Tasks can still be spawned between calls, as with a `JoinSet`.
    ///
    /// # Errors
    ///
    /// Returns the group's first failure, as [`Group::wait`] does.
    ///
    /// # Panics
    ///
    /// If a task panicked, the first panic resumes here once every task has ended, as in
    /// [`Group::wait`].
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped before it completes, no value is lost; the next
    /// call returns it.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let mut tasks = errgroup::Completions::<u32, &str>::new();
    /// tasks.spawn(async { Err("broken") });
    /// let failure = tasks.next().await.expect("a result").unwrap_err();
    /// assert_eq!(failure.to_string(), "broken");
    /// assert!(tasks.next().await.is_none());
    /// # }
    /// ```
    pub async fn next(&mut self) -> Option<Result<T, Error<E>>> {
        if self.failed {
            return None;
        }
        let shared = self.group.handle.shared();
        loop {
            if let Ok(value) = self.values.try_recv() {
                return Some(Ok(value));
            }
            tokio::select! {
                biased;
                value = self.values.recv() => {
                    return Some(Ok(value.expect("the set holds a sender")));
                }
                () = shared.idle() => {
                    if !self.values.is_empty() {
                        continue;
                    }
                    let failure = shared.take_failure()?;
                    self.failed = true;
                    return Some(Err(failure));
                }
            }
        }
    }
}

impl<T: Send + 'static, E: Send + 'static, L: Limit> From<Group<E, L>> for Completions<T, E, L> {
    /// Reads the values of the tasks that will be spawned into `group`, so that a group made by
    /// a [`Builder`](crate::Builder) (with a parent, a deadline, a limit...) can yield its values
    /// as they complete.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// use errgroup::{Builder, Completions, Error};
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let group = Builder::new().timeout(Duration::from_secs(1)).build();
    /// let mut tasks = Completions::<(), ()>::from(group);
    /// tasks.spawn_with_token(|token| async move {
    ///     token.cancelled().await;
    ///     Err(())
    /// });
    /// assert!(matches!(tasks.next().await, Some(Err(Error::DeadlineExceeded { .. }))));
    /// # }
    /// ```
    fn from(group: Group<E, L>) -> Self {
        let (sender, values) = mpsc::unbounded_channel();
        Self {
            group,
            sender,
            values,
            failed: false,
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> Default for Completions<T, E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T, E, L: Limit> fmt::Debug for Completions<T, E, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Completions")
            .field("group", &self.group)
            .field("ready_values", &self.values.len())
            .finish_non_exhaustive()
    }
}
