//! Handles to single tasks, and the proof of a successful wait that redeems them.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use tokio::task::JoinHandle;

use crate::TaskId;

/// A handle to the value a task of a group returns on success.
///
/// Every spawn returns one. The value can only be read through the [`Outputs`] that a
/// successful [`Group::wait`](crate::Group::wait) returns, so reading it before the group has
/// finished, or after the group failed, does not compile. Dropping the handle does not affect
/// the task.
///
/// # Examples
///
/// ```
/// use errgroup::Group;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), errgroup::Error<std::io::Error>> {
/// let group = Group::new();
/// let name = group.spawn(async { Ok("Alice") });
/// let orders = group.spawn(async { Ok(5_u32) });
///
/// let outputs = group.wait().await?;
/// assert_eq!(outputs.take(name), "Alice");
/// assert_eq!(outputs.take(orders), 5);
/// # Ok(())
/// # }
/// ```
///
/// A value cannot be read before the wait, as there are no [`Outputs`] yet:
///
/// ```compile_fail,E0277
/// # async fn demo() {
/// let group = errgroup::Group::<()>::new();
/// let name = group.spawn(async { Ok("Alice") });
/// let value: &str = name.await; // a `TaskHandle` is not a future
/// # }
/// ```
pub struct TaskHandle<T> {
    group: u64,
    id: TaskId,
    /// `None` if the task was never started: its group was cancelled or had finished.
    join: Option<JoinHandle<Option<T>>>,
}

impl<T> TaskHandle<T> {
    pub(crate) fn started(group: u64, id: TaskId, join: JoinHandle<Option<T>>) -> Self {
        Self {
            group,
            id,
            join: Some(join),
        }
    }

    pub(crate) fn not_started(group: u64, id: TaskId) -> Self {
        Self {
            group,
            id,
            join: None,
        }
    }

    /// Returns the task's number in its group, as errors and reports name it.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = errgroup::Group::new();
    /// let _ok = group.spawn(async { Ok(()) });
    /// let failing = group.spawn(async { Err::<(), _>("boom") });
    /// let Err(errgroup::Error::Task { task, .. }) = group.wait().await else { panic!() };
    /// assert_eq!(task.id(), failing.id());
    /// # }
    /// ```
    pub fn id(&self) -> TaskId {
        self.id
    }
}

impl<T> fmt::Debug for TaskHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskHandle")
            .field("group", &self.group)
            .field("id", &self.id)
            .field("started", &self.join.is_some())
            .finish()
    }
}

/// Proof that a group finished with every task successful; it redeems the group's
/// [`TaskHandle`]s for their values.
///
/// Only a successful [`Group::wait`](crate::Group::wait) creates one, and by then every task of
/// the group has ended, so [`take`](Outputs::take) never waits.
///
/// # Examples
///
/// ```
/// use errgroup::Group;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), errgroup::Error<std::convert::Infallible>> {
/// let group = Group::new();
/// let squares: Vec<_> = (1..=3_u64).map(|n| group.spawn(async move { Ok(n * n) })).collect();
///
/// let outputs = group.wait().await?;
/// let squares: Vec<u64> = squares.into_iter().map(|task| outputs.take(task)).collect();
/// assert_eq!(squares, [1, 4, 9]);
/// # Ok(())
/// # }
/// ```
pub struct Outputs {
    group: u64,
}

impl Outputs {
    pub(crate) fn new(group: u64) -> Self {
        Self { group }
    }

    /// Takes the value that the task behind `task` returned.
    ///
    /// # Panics
    ///
    /// Panics if `task` belongs to another group, or if it was spawned through a
    /// [`GroupHandle`](crate::GroupHandle) after its group had finished (such a task never runs).
    ///
    /// # Examples
    ///
    /// ```
    /// use errgroup::Group;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), errgroup::Error<std::convert::Infallible>> {
    /// let group = Group::new();
    /// let answer = group.spawn(async { Ok(42) });
    /// assert_eq!(group.wait().await?.take(answer), 42);
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn take<T>(&self, task: TaskHandle<T>) -> T {
        assert_eq!(
            task.group, self.group,
            "this task handle belongs to another group"
        );
        let Some(join) = task.join else {
            panic!("this task never ran: it was spawned after its group had finished");
        };
        // The task has finished, so its output is ready; `unconstrained` keeps tokio's
        // cooperative budget from answering `Pending` anyway.
        let mut join = tokio::task::unconstrained(join);
        match Pin::new(&mut join).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(Ok(Some(value))) => value,
            _ => unreachable!("a successful group has a value for each of its tasks"),
        }
    }
}

impl fmt::Debug for Outputs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outputs")
            .field("group", &self.group)
            .finish()
    }
}
