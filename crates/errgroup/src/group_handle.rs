//! [`GroupHandle`]: a cloneable handle that spawns tasks into a group from anywhere.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::limit::{Limit, Unlimited};
use crate::shared::{NO_ADMISSION, Shared};
use crate::slots::SlotHold;
use crate::{Builder, Cause, Task, TaskHandle};

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
        self.shared.token()
    }

    /// Returns why the group's token was cancelled, or `None` while it is not: Go's
    /// `context.Cause`, for the tasks.
    ///
    /// # Examples
    ///
    /// ```
    /// use errgroup::{Cause, Group};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = Group::new();
    /// let handle = group.handle();
    /// let watcher = group.spawn(async move {
    ///     handle.token().cancelled().await;
    ///     Ok(handle.cause())
    /// });
    /// tokio::task::yield_now().await;
    /// group.spawn(async { Err::<Option<Cause>, _>("boom") });
    /// let Err(_) = group.wait().await else { panic!("the group failed") };
    /// # drop(watcher);
    /// # }
    /// ```
    pub fn cause(&self) -> Option<Cause> {
        self.shared.cause()
    }

    /// Starts a child group: its token is a child of this group's, so when this group is
    /// cancelled the child is too, and a tree of groups stops as one (as Java's nested scopes and
    /// Trio's nurseries do). The child failing does not cancel this group; returning the child's
    /// error from a task does.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let parent = errgroup::Group::new();
    /// let handle = parent.handle();
    /// parent.spawn(async move {
    ///     let child = handle.child().limit(2).build::<String>();
    ///     child.spawn(async { Err::<(), _>(String::from("leaf failed")) }).await;
    ///     child.wait().await.map(drop).map_err(|e| e.to_string()) // fails the parent too
    /// });
    /// assert_eq!(parent.wait().await.unwrap_err().to_string(), "leaf failed");
    /// # }
    /// ```
    pub fn child(&self) -> Builder {
        Builder::new().parent(self.token())
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
    pub fn spawn<T: Task<E>>(&self, task: T) -> TaskHandle<T::Output> {
        self.shared.spawn(task, SlotHold::Nothing, NO_ADMISSION)
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
    pub fn spawn_with_token<F, T>(&self, task: F) -> TaskHandle<T::Output>
    where
        F: FnOnce(CancellationToken) -> T,
        T: Task<E>,
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
