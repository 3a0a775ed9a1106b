//! Limited groups: at most `n` tasks run at once (Go's `SetLimit` and `TryGo`).
//!
//! The limit is part of the group's type. [`Builder::limit`](crate::Builder::limit) makes a
//! `Group<E, Limited>`, whose `spawn` is `async` and applies backpressure, and which has a
//! `try_spawn`; a `Group<E, Unlimited>` spawns at once. So a producer cannot forget the limit's
//! backpressure:
//!
//! ```compile_fail,E0308
//! # async fn demo() {
//! let group = errgroup::Builder::new().limit(2).build::<()>();
//! let task: errgroup::TaskHandle<()> = group.spawn(async { Ok(()) }); // a future: `.await` it
//! # }
//! ```

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::shared::{NO_ADMISSION, Shared};
use crate::slots::{SlotHold, Slots};
use crate::{ErrorMode, Group, GroupHandle, Task, TaskHandle, TrySpawnError};

/// The marker of a group without a limit: its spawns start tasks at once.
///
/// # Examples
///
/// ```
/// use errgroup::{Group, Unlimited};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let group: Group<(), Unlimited> = Group::new();
/// let task = group.spawn(async { Ok(1) }); // not async: no limit to wait for
/// assert_eq!(group.wait().await.unwrap().take(task), 1);
/// # }
/// ```
#[derive(Debug)]
pub enum Unlimited {}

/// The marker of a group with a limit: at most `n` of its tasks run at once, and its spawns
/// wait for room in its backlog.
///
/// # Slots and backlog
///
/// At most `limit` task bodies run at once, never one more. A limited `spawn` does not wait for
/// a free slot itself: it waits for a place in a small **backlog** of tasks that wait for a slot
/// inside the runtime, at most `max(limit, 32)` of them. So a
/// producer of a million tasks never holds more than a few dozen unstarted ones, and a task
/// that ends hands its slot to the next one on the same worker, without waking the producer's
/// thread; the producer is woken once per half a backlog. (Waking the producer for every slot,
/// as a `JoinSet` plus a `Semaphore` does, made a limit of 2 cost 20 times an unlimited spawn
/// when the producer runs in `#[tokio::main]`; see `docs/benchmarks.md`.)
/// `try_spawn` takes a free slot at once, or gives the task back.
///
/// # Examples
///
/// ```
/// use errgroup::{Builder, Group, Limited};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let group: Group<(), Limited> = Builder::new().limit(2).build();
/// let task = group.spawn(async { Ok(1) }).await; // async: it may wait for room
/// assert_eq!(group.wait().await.unwrap().take(task), 1);
/// # }
/// ```
#[derive(Debug)]
pub enum Limited {}

/// Whether a group has a limit: [`Unlimited`] or [`Limited`]. Sealed.
///
/// # Examples
///
/// ```
/// use errgroup::{Group, Limit};
///
/// fn is_cancelled<E, L: Limit>(group: &Group<E, L>) -> bool {
///     group.token().is_cancelled()
/// }
///
/// assert!(!is_cancelled(&Group::<()>::new()));
/// assert!(!is_cancelled(&errgroup::Builder::new().limit(3).build::<()>()));
/// ```
pub trait Limit: sealed::Sealed + Send + Sync + 'static {}

impl Limit for Unlimited {}
impl Limit for Limited {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Unlimited {}
    impl Sealed for super::Limited {}
}

impl<E> Shared<E> {
    fn slots(&self) -> &Slots {
        self.slots.as_ref().expect("a limited group has slots")
    }

    /// Waits for a place in the backlog; holds nothing if the group is cancelled first.
    async fn wait_for_room(&self) -> SlotHold {
        let slots = self.slots();
        if let Some(hold) = slots.try_enter_backlog() {
            return hold;
        }
        if self.cancellation.seen() {
            return SlotHold::Nothing;
        }
        tokio::select! {
            biased;
            hold = slots.enter_backlog() => hold,
            () = self.token().cancelled() => SlotHold::Nothing,
        }
    }

    /// Spawns `task` to wait in the backlog for a slot.
    fn spawn_queued<T: Task<E>>(self: &Arc<Self>, task: T, hold: SlotHold) -> TaskHandle<T::Output>
    where
        E: Send + 'static,
    {
        // Holding nothing means the group is cancelled: `spawn` then refuses the task.
        let admission = (hold == SlotHold::Backlog).then(|| self.slots().admission());
        self.spawn(task, hold, admission)
    }

    /// Spawns `task` if a slot is free now; gives it back otherwise.
    fn try_spawn_now<T: Task<E>, F>(
        self: &Arc<Self>,
        task: F,
        make: impl FnOnce(F) -> T,
    ) -> Result<TaskHandle<T::Output>, TrySpawnError<F>>
    where
        E: Send + 'static,
    {
        let hold = match self.slots().try_take_slot() {
            Some(hold) => hold,
            // A cancelled group accepts the task and never runs it, as `spawn` does.
            None if self.is_cancelled() => SlotHold::Nothing,
            None => return Err(TrySpawnError::new(task)),
        };
        Ok(self.spawn(make(task), hold, NO_ADMISSION))
    }
}

impl<E: Send + 'static> GroupHandle<E, Limited> {
    /// Waits for room in the group's backlog, then spawns `task` into the group, to start when a
    /// slot is free; see [`Group::<E, Limited>::spawn`](Group#method.spawn-1).
    ///
    /// # Panics
    ///
    /// Panics if called outside a tokio runtime, as [`tokio::spawn`] does.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped before it completes, `task` is dropped unspawned
    /// and no place in the backlog is taken.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), errgroup::Error<()>> {
    /// let group = errgroup::Builder::new().limit(2).build();
    /// let handle = group.handle();
    /// let producer = tokio::spawn(async move {
    ///     for n in 0..10_u32 {
    ///         handle.spawn(async move { Ok(n) }).await;
    ///     }
    /// });
    /// producer.await.expect("the producer does not panic");
    /// group.wait().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn spawn<T: Task<E>>(&self, task: T) -> TaskHandle<T::Output> {
        let hold = self.shared().wait_for_room().await;
        self.shared().spawn_queued(task, hold)
    }

    /// Waits for room in the group's backlog, then spawns the future that `task` makes from a
    /// clone of the group's token, to start when a slot is free.
    ///
    /// # Panics
    ///
    /// Panics if called outside a tokio runtime, as [`tokio::spawn`] does.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped before it completes, `task` is dropped uncalled
    /// and no place in the backlog is taken.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), errgroup::Error<()>> {
    /// let group = errgroup::Builder::new().limit(1).build();
    /// let handle = group.handle();
    /// let saw_cancel = handle
    ///     .spawn_with_token(|token| async move { Ok(token.is_cancelled()) })
    ///     .await;
    /// assert!(!group.wait().await?.take(saw_cancel));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn spawn_with_token<F, T>(&self, task: F) -> TaskHandle<T::Output>
    where
        F: FnOnce(CancellationToken) -> T,
        T: Task<E>,
    {
        let hold = self.shared().wait_for_room().await;
        self.shared().spawn_queued(task(self.token().clone()), hold)
    }

    /// Spawns `task` if a slot is free, and gives it back otherwise: Go's `TryGo`.
    ///
    /// If the group is cancelled, the task is accepted and never runs, as with `spawn`.
    ///
    /// # Errors
    ///
    /// Returns [`TrySpawnError`], holding `task`, if every slot is taken.
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
    /// let handle = group.handle();
    /// assert!(handle.try_spawn(std::future::pending::<Result<(), ()>>()).is_ok());
    /// assert!(handle.try_spawn(async { Ok(()) }).is_err());
    /// # }
    /// ```
    #[track_caller]
    pub fn try_spawn<T: Task<E>>(
        &self,
        task: T,
    ) -> Result<TaskHandle<T::Output>, TrySpawnError<T>> {
        self.shared().try_spawn_now(task, |task| task)
    }

    /// Spawns the future that `task` makes from a clone of the group's token if a slot is free,
    /// and gives `task` back otherwise.
    ///
    /// # Errors
    ///
    /// Returns [`TrySpawnError`], holding `task` uncalled, if every slot is taken.
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
    /// let handle = group.handle();
    /// let first = handle.try_spawn_with_token(|token| async move {
    ///     token.cancelled().await;
    ///     Ok(())
    /// });
    /// assert!(first.is_ok());
    /// assert!(handle.try_spawn_with_token(|_| async { Ok(()) }).is_err());
    /// # }
    /// ```
    #[track_caller]
    pub fn try_spawn_with_token<F, T>(
        &self,
        task: F,
    ) -> Result<TaskHandle<T::Output>, TrySpawnError<F>>
    where
        F: FnOnce(CancellationToken) -> T,
        T: Task<E>,
    {
        self.shared()
            .try_spawn_now(task, |task| task(self.token().clone()))
    }
}

impl<E: Send + 'static, M: ErrorMode> Group<E, Limited, M> {
    /// Spawns `task` into the group, to run once fewer than `limit` tasks run: Go's `Go` on a
    /// group with `SetLimit`. It waits while the group's backlog is full (`max(limit, 32)` tasks
    /// waiting for a slot; see [Slots and backlog](Limited#slots-and-backlog)), so a producer that spawns a
    /// million tasks this way never holds more than a few dozen unstarted ones.
    ///
    /// The wait ends early if the group is cancelled; the task then never runs, nor do the
    /// queued ones. A running task that spawns into its own
    /// group while the backlog is full waits for room; if every running task does that, they
    /// wait on each other until the group is cancelled (as Go's `Go` does inside a goroutine of
    /// a full group).
    ///
    /// # Panics
    ///
    /// Panics if called outside a tokio runtime, as [`tokio::spawn`] does.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped before it completes, `task` is dropped unspawned
    /// and no place in the backlog is taken.
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
    ///         let now = running.fetch_add(1, Ordering::SeqCst) + 1;
    ///         most.fetch_max(now, Ordering::SeqCst);
    ///         tokio::task::yield_now().await;
    ///         running.fetch_sub(1, Ordering::SeqCst);
    ///         Ok(())
    ///     }).await;
    /// }
    /// group.wait().await?;
    /// assert_eq!(most.load(Ordering::SeqCst), 3);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn spawn<T: Task<E>>(&self, task: T) -> TaskHandle<T::Output> {
        self.handle.spawn(task).await
    }

    /// Waits for room in the group's backlog, then spawns the future that `task` makes from a
    /// clone of the group's token, to start when a slot is free.
    ///
    /// # Panics
    ///
    /// Panics if called outside a tokio runtime, as [`tokio::spawn`] does.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped before it completes, `task` is dropped uncalled
    /// and no place in the backlog is taken.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = errgroup::Builder::new().limit(2).build();
    /// group.spawn_with_token(|token| async move {
    ///     token.cancelled().await;
    ///     Err::<(), _>("stopped")
    /// }).await;
    /// group.spawn(async { Err::<(), _>("failed") }).await;
    /// assert_eq!(group.wait().await.unwrap_err().to_string(), "failed");
    /// # }
    /// ```
    pub async fn spawn_with_token<F, T>(&self, task: F) -> TaskHandle<T::Output>
    where
        F: FnOnce(CancellationToken) -> T,
        T: Task<E>,
    {
        self.handle.spawn_with_token(task).await
    }

    /// Spawns `task` if fewer than `limit` tasks run, and gives it back otherwise: Go's
    /// `TryGo`.
    ///
    /// If the group is cancelled, the task is accepted and never runs, as with `spawn`.
    ///
    /// # Errors
    ///
    /// Returns [`TrySpawnError`], holding `task`, if every slot is taken.
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
    /// }).expect("the first slot is free");
    ///
    /// let refused = group.try_spawn(async { Ok(()) }).unwrap_err();
    /// release.send(()).unwrap();
    /// tokio::task::yield_now().await; // the first task ends and frees its slot
    /// assert!(group.try_spawn(refused.into_inner()).is_ok());
    /// # }
    /// ```
    #[track_caller]
    pub fn try_spawn<T: Task<E>>(
        &self,
        task: T,
    ) -> Result<TaskHandle<T::Output>, TrySpawnError<T>> {
        self.handle.try_spawn(task)
    }

    /// Spawns the future that `task` makes from a clone of the group's token if fewer than
    /// `limit` tasks run, and gives `task` back otherwise.
    ///
    /// # Errors
    ///
    /// Returns [`TrySpawnError`], holding `task` uncalled, if every slot is taken.
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
    /// assert!(group.try_spawn_with_token(|token| async move {
    ///     token.cancelled().await;
    ///     Ok(())
    /// }).is_ok());
    /// assert!(group.try_spawn_with_token(|_| async { Ok(()) }).is_err());
    /// # }
    /// ```
    #[track_caller]
    pub fn try_spawn_with_token<F, T>(
        &self,
        task: F,
    ) -> Result<TaskHandle<T::Output>, TrySpawnError<F>>
    where
        F: FnOnce(CancellationToken) -> T,
        T: Task<E>,
    {
        self.handle.try_spawn_with_token(task)
    }
}
