//! Limited groups: at most `n` tasks run at once (Go's `SetLimit` and `TryGo`).
//!
//! The limit is part of the group's type. [`Builder::limit`](crate::Builder::limit) makes a
//! `Group<E, Limited>`, whose `spawn` is `async` and waits for a free slot, and which has a
//! `try_spawn`; a `Group<E, Unlimited>` spawns at once. So a producer cannot forget the limit's
//! backpressure:
//!
//! ```compile_fail,E0308
//! # async fn demo() {
//! let group = errgroup::Builder::new().limit(2).build::<()>();
//! let task: errgroup::TaskHandle<()> = group.spawn(async { Ok(()) }); // a future: `.await` it
//! # }
//! ```

use tokio_util::sync::CancellationToken;

use crate::shared::Shared;
use crate::{ErrorMode, Group, GroupHandle, Task, TaskHandle, TrySpawnError};

/// The marker of a group without a limit: its spawns start tasks at once.
#[derive(Debug)]
pub enum Unlimited {}

/// The marker of a group with a limit: at most `n` of its tasks run at once, and its spawns
/// wait for a free slot.
#[derive(Debug)]
pub enum Limited {}

/// Whether a group has a limit: [`Unlimited`] or [`Limited`]. Sealed.
pub trait Limit: sealed::Sealed + Send + Sync + 'static {}

impl Limit for Unlimited {}
impl Limit for Limited {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Unlimited {}
    impl Sealed for super::Limited {}
}

/// What a `try_spawn` found.
enum SlotAttempt {
    Taken,
    /// The group is cancelled: the task will not run, so it needs no slot.
    Cancelled,
    Full,
}

impl<E> Shared<E> {
    fn slots(&self) -> &tokio::sync::Semaphore {
        self.slots.as_ref().expect("a limited group has slots")
    }

    /// Waits for a free slot; returns whether it took one (`false`: the group was cancelled).
    async fn acquire_slot(&self) -> bool {
        let slots = self.slots();
        if let Ok(permit) = slots.try_acquire() {
            permit.forget();
            return true;
        }
        tokio::select! {
            biased;
            permit = slots.acquire() => {
                permit.expect("a group never closes its slots").forget();
                true
            }
            () = self.token.cancelled() => false,
        }
    }

    fn try_acquire_slot(&self) -> SlotAttempt {
        match self.slots().try_acquire() {
            Ok(permit) => {
                permit.forget();
                SlotAttempt::Taken
            }
            Err(_) if self.token.is_cancelled() => SlotAttempt::Cancelled,
            Err(_) => SlotAttempt::Full,
        }
    }
}

impl<E: Send + 'static> GroupHandle<E, Limited> {
    /// Waits for a free slot, then spawns `task` into the group; see
    /// [`Group::<E, Limited>::spawn`](Group#method.spawn-1).
    ///
    /// # Panics
    ///
    /// Panics if called outside a tokio runtime, as [`tokio::spawn`] does.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped before it completes, `task` is dropped unspawned
    /// and no slot is taken.
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
        let holds_slot = self.shared().acquire_slot().await;
        self.shared().spawn(task, holds_slot)
    }

    /// Waits for a free slot, then spawns the future that `task` makes from a clone of the
    /// group's token.
    ///
    /// # Panics
    ///
    /// Panics if called outside a tokio runtime, as [`tokio::spawn`] does.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped before it completes, `task` is dropped uncalled
    /// and no slot is taken.
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
        let holds_slot = self.shared().acquire_slot().await;
        self.shared().spawn(task(self.token().clone()), holds_slot)
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
        match self.shared().try_acquire_slot() {
            SlotAttempt::Taken => Ok(self.shared().spawn(task, true)),
            SlotAttempt::Cancelled => Ok(self.shared().spawn(task, false)),
            SlotAttempt::Full => Err(TrySpawnError::new(task)),
        }
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
        match self.shared().try_acquire_slot() {
            SlotAttempt::Taken => Ok(self.shared().spawn(task(self.token().clone()), true)),
            SlotAttempt::Cancelled => Ok(self.shared().spawn(task(self.token().clone()), false)),
            SlotAttempt::Full => Err(TrySpawnError::new(task)),
        }
    }
}

impl<E: Send + 'static, M: ErrorMode> Group<E, Limited, M> {
    /// Waits until fewer than `limit` tasks run, then spawns `task` into the group: Go's `Go`
    /// on a group with `SetLimit`. A producer that spawns a million tasks this way never holds
    /// more than `limit` of them.
    ///
    /// The wait for a slot ends early if the group is cancelled; the task then never runs.
    /// A task that spawns into its own full group waits for a sibling to end, so if every
    /// running task does that, they wait on each other until the group is cancelled.
    ///
    /// # Panics
    ///
    /// Panics if called outside a tokio runtime, as [`tokio::spawn`] does.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped before it completes, `task` is dropped unspawned
    /// and no slot is taken.
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

    /// Waits for a free slot, then spawns the future that `task` makes from a clone of the
    /// group's token.
    ///
    /// # Panics
    ///
    /// Panics if called outside a tokio runtime, as [`tokio::spawn`] does.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped before it completes, `task` is dropped uncalled
    /// and no slot is taken.
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
