//! [`GroupHandle`]: a cloneable handle that spawns tasks into a group from anywhere.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::TaskHandle;
use crate::limit::{Limit, Unlimited};
use crate::shared::Shared;

/// A cloneable handle to a [`Group`](crate::Group), made by
/// [`Group::handle`](crate::Group::handle): it spawns tasks into the group and shows its token,
/// but cannot wait for it.
///
/// Tasks use it to spawn more tasks, as Go code calls `g.Go` inside a goroutine; `wait` covers
/// those tasks too. A handle does not keep the group open: once the group has finished waiting
/// or was dropped, a task spawned through the handle never runs.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), errgroup::Error<()>> {
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicU32, Ordering};
///
/// // Count the nodes of a tree, one task per node.
/// fn visit(group: errgroup::GroupHandle<()>, depth: u32, nodes: Arc<AtomicU32>) {
///     let handle = group.clone();
///     group.spawn(async move {
///         nodes.fetch_add(1, Ordering::Relaxed);
///         if depth > 0 {
///             visit(handle.clone(), depth - 1, Arc::clone(&nodes));
///             visit(handle, depth - 1, nodes);
///         }
///         Ok(())
///     });
/// }
///
/// let group = errgroup::Group::new();
/// let nodes = Arc::new(AtomicU32::new(0));
/// visit(group.handle(), 3, Arc::clone(&nodes));
/// group.wait().await?;
/// assert_eq!(nodes.load(Ordering::Relaxed), 15);
/// # Ok(())
/// # }
/// ```
pub struct GroupHandle<E, L = Unlimited> {
    shared: Arc<Shared<E>>,
    limit: PhantomData<L>,
}

impl<E, L> GroupHandle<E, L> {
    pub(crate) fn new(shared: Arc<Shared<E>>) -> Self {
        Self {
            shared,
            limit: PhantomData,
        }
    }

    pub(crate) fn shared(&self) -> &Arc<Shared<E>> {
        &self.shared
    }
}

impl<E, L: Limit> GroupHandle<E, L> {
    /// Returns the group's cancellation token; see [`Group::token`](crate::Group::token).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = errgroup::Group::<()>::new();
    /// let handle = group.handle();
    /// drop(group);
    /// assert!(handle.token().is_cancelled());
    /// # }
    /// ```
    pub fn token(&self) -> &CancellationToken {
        &self.shared.token
    }
}

impl<E: Send + 'static> GroupHandle<E> {
    /// Spawns `task` into the group; see [`Group::spawn`](crate::Group::spawn).
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
    /// let handle = group.handle();
    /// group.spawn(async move {
    ///     handle.spawn(async { Err::<(), _>("the inner task failed") });
    ///     Ok(())
    /// });
    /// assert_eq!(group.wait().await.unwrap_err().to_string(), "the inner task failed");
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn<F, T>(&self, task: F) -> TaskHandle<T>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
    {
        self.shared.spawn(task, false)
    }

    /// Spawns the future that `task` makes from a clone of the group's token; see
    /// [`Group::spawn_with_token`](crate::Group::spawn_with_token).
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
    /// let group = errgroup::Group::<()>::new();
    /// let handle = group.handle();
    /// group.spawn(async move {
    ///     handle.spawn_with_token(|token| async move {
    ///         token.cancelled().await; // the outer task's error cancels it
    ///         Ok::<_, ()>(())
    ///     });
    ///     Err::<(), _>(())
    /// });
    /// assert!(group.wait().await.is_err());
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn_with_token<F, Fut, T>(&self, task: F) -> TaskHandle<T>
    where
        F: FnOnce(CancellationToken) -> Fut,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
    {
        self.spawn(task(self.token().clone()))
    }
}

impl<E, L> Clone for GroupHandle<E, L> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
            limit: PhantomData,
        }
    }
}

impl<E, L: Limit> fmt::Debug for GroupHandle<E, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupHandle")
            .field("live_tasks", &self.shared.live())
            .field("cancelled", &self.token().is_cancelled())
            .finish_non_exhaustive()
    }
}
