//! [`GroupHandle`]: spawns into a group from its tasks, or from producers elsewhere.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::shared::Shared;
use crate::{Cause, SpawnError, TaskHandle};

/// A cloneable handle that spawns into a [`Group`](crate::Group): for tasks that spawn more
/// tasks, and producers that run in other tasks. Made by [`Group::handle`](crate::Group::handle).
///
/// Its methods are the group's, with one difference: a handle can outlive its group's `wait`,
/// so every spawn returns a `Result`, and refuses the task with [`SpawnError::Closed`] once the
/// group has ended (its `wait` returned, or it was dropped). A task the group accepted, `wait`
/// waits for; so a task spawned from a task of the group is always accepted.
///
/// Only the group's owner waits: a handle has no `wait`.
///
/// ```compile_fail,E0599
/// # async fn demo() {
/// let group = errgroup::Group::<()>::new();
/// let handle = group.handle();
/// handle.wait().await; // error: no method `wait` on `GroupHandle`
/// # }
/// ```
///
/// # Examples
///
/// A producer in a task of its own, with backpressure:
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
/// let group = errgroup::Builder::new().limit(2).build::<std::io::Error>();
/// let handle = group.handle();
/// let producer = tokio::spawn(async move {
///     for n in 0..100_u32 {
///         handle.spawn_with_backpressure(async move { Ok(n) }).await?;
///     }
///     Ok::<_, errgroup::SpawnError<_>>(())
/// });
/// producer.await??;
/// group.wait().await?;
/// # Ok(())
/// # }
/// ```
pub struct GroupHandle<E> {
    shared: Arc<Shared<E>>,
}

impl<E> GroupHandle<E> {
    pub(crate) fn new(shared: Arc<Shared<E>>) -> Self {
        Self { shared }
    }

    /// Returns the group's token; see [`Group::token`](crate::Group::token).
    pub fn token(&self) -> &CancellationToken {
        self.shared.token()
    }

    /// Returns why the group's token was cancelled; see [`Group::cause`](crate::Group::cause).
    pub fn cause(&self) -> Option<Cause> {
        self.shared.cause()
    }
}

impl<E: Send + 'static> GroupHandle<E> {
    /// Spawns `task` into the group; see [`Group::spawn`](crate::Group::spawn).
    ///
    /// # Errors
    ///
    /// Returns [`SpawnError::Closed`], holding `task` unpolled, if the group has ended.
    ///
    /// # Panics
    ///
    /// As [`Group::spawn`](crate::Group::spawn).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = errgroup::Group::<()>::new();
    /// let handle = group.handle();
    /// group.wait().await.expect("no task failed");
    /// let late = handle.spawn(async { Ok(()) });
    /// assert!(matches!(late, Err(errgroup::SpawnError::Closed(_))));
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn<F, T>(&self, task: F) -> Result<TaskHandle<T>, SpawnError<F>>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
    {
        self.shared.spawn(task).map_err(SpawnError::Closed)
    }

    /// Spawns `task` if it can start now; see [`Group::try_spawn`](crate::Group::try_spawn).
    ///
    /// # Errors
    ///
    /// Returns [`SpawnError::Full`] if every slot is taken and [`SpawnError::Closed`] if the
    /// group has ended, each holding `task` unpolled.
    ///
    /// # Panics
    ///
    /// As [`Group::spawn`](crate::Group::spawn).
    #[track_caller]
    pub fn try_spawn<F, T>(&self, task: F) -> Result<TaskHandle<T>, SpawnError<F>>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
    {
        self.shared.try_spawn(task)
    }

    /// Spawns `task` after waiting while the group's queue is long; see
    /// [`Group::spawn_with_backpressure`](crate::Group::spawn_with_backpressure).
    ///
    /// # Errors
    ///
    /// Returns [`SpawnError::Closed`], holding `task` unpolled, if the group has ended.
    ///
    /// # Panics
    ///
    /// As [`Group::spawn`](crate::Group::spawn).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped before it completes, `task` is dropped unspawned.
    pub async fn spawn_with_backpressure<F, T>(
        &self,
        task: F,
    ) -> Result<TaskHandle<T>, SpawnError<F>>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
    {
        self.shared.wait_for_room().await;
        self.spawn(task)
    }
}

impl<E> Clone for GroupHandle<E> {
    fn clone(&self) -> Self {
        Self::new(Arc::clone(&self.shared))
    }
}

impl<E> fmt::Debug for GroupHandle<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupHandle")
            .field("live_tasks", &self.shared.live())
            .finish_non_exhaustive()
    }
}
