//! [`Scope`]: tasks that borrow from the caller, run inside the future that waits for them.

use std::collections::VecDeque;
use std::fmt;
use std::future::{Future, poll_fn};
use std::mem;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use futures_util::future::TryFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};
use tokio::time::{Instant, Sleep};
use tokio_util::sync::CancellationToken;

use crate::{Cause, Error, TaskId};

/// A set of tasks that may borrow from the caller and fail together, all run by the one
/// future that waits for them.
///
/// A [`Group`](crate::Group) spawns its tasks onto the runtime, which may keep running them
/// after the caller is gone, so they must be `'static`. A scope's tasks run *inside* the
/// future returned by [`wait`](Scope::wait): dropping that future drops them, so they may
/// borrow anything that outlives the scope (`&data`, the `&mut` parts of a buffer split
/// beforehand) and need not be `Send`. The price is parallelism: every task runs on the one
/// runtime task that polls `wait`, like `FuturesUnordered`, and **tasks make progress only
/// while `wait` is polled**.
///
/// `Scope<F>` holds tasks of one future type `F`, any `Future<Output = Result<T, E>>` (every
/// such future is a [`TryFuture`]), usually inferred from the one `async` block or function
/// that makes them. Tasks of different types go in boxes:
/// `Scope<Pin<Box<dyn Future<Output = Result<T, E>> + '_>>>` (see the examples).
///
/// # When to use `Group` instead
///
/// - The tasks need parallelism: CPU-heavy work, or code that blocks its thread, stalls every
///   task of a scope.
/// - The tasks are `'static` anyway, or must keep running while the caller does other work.
/// - Tasks spawn more tasks: a scope is filled before `wait`, which takes it by value.
///
/// # Contracts
///
/// As a `Group`'s, where they apply:
///
/// - **First error by completion time.** `wait` returns the first error a task returned, as
///   [`Error::Task`] with that task's [`TaskId`]; errors returned after the token was cancelled
///   never replace the root cause.
/// - **The [token](Scope::token)** (a child of the parent given to
///   [`with_parent`](Scope::with_parent), or the one given to
///   [`with_token`](Scope::with_token)) is cancelled on the first error or panic, at the
///   deadline, when `wait` returns, and when the scope or the `wait` future is dropped.
/// - **`wait` waits for every task that started**, also after a failure: they see the token.
///   Tasks still waiting for a slot of a [limited](Scope::limit) scope when the token is
///   cancelled, and every task if it was cancelled before `wait` started, never run: they are
///   dropped unpolled, and `wait` fails unless it already had an error.
/// - **Values in spawn order.** A successful `wait` returns every task's value, indexed by the
///   [`TaskId`] [`spawn`](Scope::spawn) returned.
/// - **No lost panics.** A panicking task cancels the token, and the panic resumes in the
///   caller of `wait` at once: unlike a group, which waits for the other tasks to end, a
///   scope drops them (they could not run without `wait` anyway).
/// - **No orphans.** Nothing outlives the scope: dropping it, or the future returned by
///   `wait`, drops every task at once, and the borrow checker keeps the borrowed data alive
///   until then.
///
/// # Examples
///
/// Check local lines against a local word list, and normalize the halves of a buffer in
/// place, without cloning, `Arc` or `'static`:
///
/// ```
/// use errgroup::Scope;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), errgroup::Error<String>> {
/// let banned = vec!["password", "secret"];
/// let lines = vec!["user=alice", "password=hunter2", "shell=zsh"];
/// let mut scope = Scope::new();
/// for line in &lines {
///     let banned = &banned; // shared by every task, borrowed from the caller
///     scope.spawn(async move {
///         match banned.iter().find(|word| line.starts_with(**word)) {
///             Some(word) => Err(format!("banned key {word}")),
///             None => Ok(line.len()),
///         }
///     });
/// }
/// let error = scope.wait().await.unwrap_err();
/// assert_eq!(error.to_string(), "banned key password");
///
/// let mut samples = [4, 8, 15, 16, 23, 42];
/// let (left, right) = samples.split_at_mut(3);
/// let mut scope = Scope::new();
/// for half in [left, right] {
///     scope.spawn(async move {
///         let max = *half.iter().max().ok_or("empty half")?;
///         half.iter_mut().for_each(|sample| *sample = *sample * 100 / max);
///         Ok::<_, String>(max)
///     });
/// }
/// assert_eq!(scope.wait().await?, [15, 42]);
/// assert_eq!(samples, [26, 53, 100, 38, 54, 100]);
/// # Ok(())
/// # }
/// ```
///
/// Tasks of different types, boxed:
///
/// ```
/// use std::future::Future;
/// use std::pin::Pin;
///
/// use errgroup::Scope;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), errgroup::Error<String>> {
/// let name = String::from("Alice");
/// let mut scope: Scope<Pin<Box<dyn Future<Output = Result<usize, String>> + '_>>> =
///     Scope::new();
/// scope.spawn(Box::pin(async { Ok(name.len()) }));
/// scope.spawn(Box::pin(std::future::ready(Ok(7))));
/// assert_eq!(scope.wait().await?, [5, 7]);
/// # Ok(())
/// # }
/// ```
///
/// A task cannot outlive what it borrows:
///
/// ```compile_fail,E0597
/// # async fn demo() {
/// let mut scope = errgroup::Scope::new();
/// {
///     let data = vec![1, 2, 3];
///     scope.spawn(async { Ok::<_, ()>(data.len()) }); // error: `data` does not live long enough
/// }
/// let _ = scope.wait().await;
/// # }
/// ```
#[must_use = "tasks make progress only while `wait` is polled"]
pub struct Scope<F: TryFuture> {
    /// The tasks that hold a slot, each tagged with its index.
    running: FuturesUnordered<Indexed<F>>,
    /// The tasks waiting for a slot, in spawn order: the last `queue.len()` indices.
    queue: VecDeque<F>,
    limit: usize,
    /// How many tasks were spawned: the next task's index.
    spawned: usize,
    /// Each task's value, by index, from the start of `wait`.
    values: Vec<Option<F::Ok>>,
    /// Values of a zero-sized type (`()`, mostly), in completion order, since they are all
    /// alike. A `Vec` of them takes no memory, where `values` takes a byte per task: an
    /// allocation of that size, freed among the tasks' own, has glibc consolidate its free
    /// lists, and trivial tasks took a third longer.
    zero_sized: Vec<F::Ok>,
    token: CancellationToken,
    parent: Option<CancellationToken>,
    deadline: Option<(Pin<Box<Sleep>>, Duration)>,
    failure: Option<Error<F::Error>>,
}

pin_project_lite::pin_project! {
    /// A task that yields its index along with its output.
    struct Indexed<F> {
        index: usize,
        #[pin]
        task: F,
    }
}

impl<F: TryFuture> Future for Indexed<F> {
    type Output = (usize, Result<F::Ok, F::Error>);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        this.task.try_poll(cx).map(|output| (*this.index, output))
    }
}

impl<F: TryFuture> Scope<F> {
    /// Creates a scope with no limit, no deadline, and a token of its own.
    ///
    /// Its tasks can watch its token only through clones they own: a clone made after the
    /// scope cannot be borrowed by them, since the scope would be dropped after it. Tasks
    /// that borrow the token need a scope made [`with_token`](Scope::with_token).
    pub fn new() -> Self {
        Self::with_tokens(CancellationToken::new(), None)
    }

    /// Creates a scope whose token is a child of `parent`: cancelling `parent` cancels the
    /// scope ([`Cause::ParentCancelled`]), and the scope failing does not cancel `parent`.
    pub fn with_parent(parent: &CancellationToken) -> Self {
        Self::with_tokens(parent.child_token(), Some(parent.clone()))
    }

    /// Creates a scope whose token is `token` itself (a clone of it), so that tasks can
    /// borrow `token` where it was declared, before the scope.
    ///
    /// The scope cancels `token` as it would its own, also when `wait` returns: give each
    /// scope a token of its own (`parent.child_token()`, say), not one that outlives it.
    ///
    /// # Examples
    ///
    /// Fail fast: the broken fetch fails after a second, and the slow one sees the token and
    /// stops.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// use errgroup::{CancellationToken, Scope};
    /// use tokio::time::{Instant, sleep};
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let started = Instant::now();
    /// let token = CancellationToken::new();
    /// let mut scope = Scope::with_token(&token);
    /// for url in ["a.example/slow", "b.example/broken"] {
    ///     let token = &token;
    ///     scope.spawn(async move {
    ///         let latency = if url.ends_with("slow") { 60 } else { 1 };
    ///         tokio::select! {
    ///             () = sleep(Duration::from_secs(latency)) => {}
    ///             () = token.cancelled() => return Err(format!("{url}: cancelled")),
    ///         }
    ///         if url.ends_with("broken") {
    ///             return Err(format!("{url}: 404 not found"));
    ///         }
    ///         Ok(url.len())
    ///     });
    /// }
    /// let error = scope.wait().await.unwrap_err();
    /// assert_eq!(error.to_string(), "b.example/broken: 404 not found");
    /// assert_eq!(started.elapsed(), Duration::from_secs(1));
    /// assert!(token.is_cancelled());
    /// # }
    /// ```
    pub fn with_token(token: &CancellationToken) -> Self {
        Self::with_tokens(token.clone(), None)
    }

    fn with_tokens(token: CancellationToken, parent: Option<CancellationToken>) -> Self {
        Self {
            running: FuturesUnordered::new(),
            queue: VecDeque::new(),
            limit: usize::MAX,
            spawned: 0,
            values: Vec::new(),
            zero_sized: Vec::new(),
            token,
            parent,
            deadline: None,
            failure: None,
        }
    }

    /// At most `limit` tasks are polled at once; the others wait for a slot and start in spawn
    /// order, each when a running one ends.
    ///
    /// # Panics
    ///
    /// Panics if `limit` is 0, or if tasks were spawned already.
    #[track_caller]
    pub fn limit(mut self, limit: usize) -> Self {
        assert!(limit > 0, "a scope's limit must be at least 1");
        assert!(self.spawned == 0, "set a scope's limit before spawning");
        self.limit = limit;
        self
    }

    /// Gives the scope a deadline `timeout` from now: then its token is cancelled, and `wait`
    /// fails with [`Error::DeadlineExceeded`] unless every task had already returned. A
    /// timeout too large to represent means no deadline. The deadline is cooperative: `wait`
    /// still waits for tasks that ignore the token.
    ///
    /// # Panics
    ///
    /// Panics outside a tokio runtime or on one without timers, as [`tokio::time::sleep`] does.
    #[track_caller]
    pub fn timeout(self, timeout: Duration) -> Self {
        let deadline = Instant::now().checked_add(timeout);
        self.with_deadline(deadline, timeout)
    }

    /// Gives the scope a deadline at the instant `deadline`; otherwise as
    /// [`timeout`](Scope::timeout).
    ///
    /// # Panics
    ///
    /// As [`timeout`](Scope::timeout).
    #[track_caller]
    pub fn deadline(self, deadline: Instant) -> Self {
        let timeout = deadline.saturating_duration_since(Instant::now());
        self.with_deadline(Some(deadline), timeout)
    }

    #[track_caller]
    fn with_deadline(mut self, deadline: Option<Instant>, timeout: Duration) -> Self {
        self.deadline = deadline.map(|at| (Box::pin(tokio::time::sleep_until(at)), timeout));
        self
    }

    /// Adds `task` to the scope and returns its id, its index in the values of `wait`. The
    /// task is not polled until `wait` is.
    pub fn spawn(&mut self, task: F) -> TaskId {
        let index = self.spawned;
        self.spawned += 1;
        if self.running.len() < self.limit {
            self.running.push(Indexed { index, task });
        } else {
            self.queue.push_back(task);
        }
        TaskId(index as u64)
    }

    /// Returns the scope's token, for the tasks to watch; see [`new`](Scope::new) and
    /// [`with_token`](Scope::with_token) on how tasks may hold it.
    pub fn token(&self) -> &CancellationToken {
        &self.token
    }

    /// Runs every task to its end and returns their values in spawn order, or the first
    /// failure. Then cancels the token.
    ///
    /// # Errors
    ///
    /// - [`Error::Task`]: the first task to fail, by completion time.
    /// - [`Error::DeadlineExceeded`]: the deadline passed before every task had returned.
    /// - [`Error::Cancelled`]: the token was cancelled from outside ([`Cause::ParentCancelled`]
    ///   or [`Cause::TokenCancelled`]), and then a task failed or a task never ran.
    ///
    /// # Panics
    ///
    /// If a task panics, drops every other task and resumes the panic.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it completes drops the scope: the token is cancelled and
    /// every task is dropped, with the values returned so far.
    pub async fn wait(mut self) -> Result<Vec<F::Ok>, Error<F::Error>> {
        if size_of::<F::Ok>() > 0 {
            self.values.resize_with(self.spawned, || None);
        }
        if self.token.is_cancelled() && self.spawned > 0 {
            self.running.clear();
            self.fail(self.cancelled());
        }
        // A task's panic unwinds through here and drops `self`: `drop` cancels the token,
        // then every other task is dropped, and the panic goes on to the caller.
        poll_fn(|cx| self.poll_tasks(cx)).await;
        match self.failure.take() {
            Some(failure) => Err(failure),
            None if size_of::<F::Ok>() == 0 => Ok(mem::take(&mut self.zero_sized)),
            None => Ok(mem::take(&mut self.values)
                .into_iter()
                .map(|value| value.expect("a scope that succeeded has every value"))
                .collect()),
        }
    }

    /// Polls the tasks until every one has ended; starts queued tasks as slots free.
    fn poll_tasks(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            while self.running.len() < self.limit {
                let Some(task) = self.queue.pop_front() else {
                    break;
                };
                if self.token.is_cancelled() {
                    // Cancelled from outside: a queued task never runs (the scope's own
                    // failures have emptied the queue already).
                    self.fail(self.cancelled());
                    break;
                }
                let index = self.spawned - self.queue.len() - 1;
                self.running.push(Indexed { index, task });
            }
            match self.running.poll_next_unpin(cx) {
                Poll::Ready(Some((_, Ok(value)))) if size_of::<F::Ok>() == 0 => {
                    self.zero_sized.push(value);
                }
                Poll::Ready(Some((index, Ok(value)))) => self.values[index] = Some(value),
                Poll::Ready(Some((index, Err(error)))) => {
                    if self.failure.is_none() {
                        let task = TaskId(index as u64);
                        let failure = if self.token.is_cancelled() {
                            self.cancelled()
                        } else {
                            Error::Task { task, error }
                        };
                        self.fail(failure);
                    }
                }
                Poll::Ready(None) => return Poll::Ready(()),
                Poll::Pending => {
                    let Some((sleep, timeout)) = &mut self.deadline else {
                        return Poll::Pending;
                    };
                    ready!(sleep.as_mut().poll(cx));
                    let timeout = *timeout;
                    self.deadline = None;
                    self.fail(Error::DeadlineExceeded { timeout });
                }
            }
        }
    }

    /// Records `failure` unless the scope failed already, cancels the token and drops the
    /// queued tasks.
    fn fail(&mut self, failure: Error<F::Error>) {
        self.failure.get_or_insert(failure);
        self.token.cancel();
        self.queue.clear();
    }

    /// The failure of a scope whose token was cancelled from outside.
    fn cancelled(&self) -> Error<F::Error> {
        let cause = match &self.parent {
            Some(parent) if parent.is_cancelled() => Cause::ParentCancelled,
            _ => Cause::TokenCancelled,
        };
        Error::Cancelled { cause }
    }
}

impl<F: TryFuture> Default for Scope<F> {
    fn default() -> Self {
        Self::new()
    }
}

impl<F: TryFuture> Drop for Scope<F> {
    fn drop(&mut self) {
        self.token.cancel();
    }
}

impl<F: TryFuture> fmt::Debug for Scope<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scope")
            .field("tasks", &self.spawned)
            .field("running", &self.running.len())
            .field("queued", &self.queue.len())
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}
