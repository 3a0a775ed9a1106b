//! [`TaskHandle`] and [`Outputs`]: a task's value comes out through its handle, once `wait` has
//! seen every task succeed.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

/// A task's number within its group, in spawn order from 0: what errors and
/// [`shutdown`](crate::Group::shutdown) reports name.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let group = errgroup::Group::new();
/// let first = group.spawn(async { Ok(()) });
/// let second = group.spawn(async { Err::<(), _>("failed") });
/// assert_eq!(first.id().as_u64(), 0);
/// match group.wait().await {
///     Err(errgroup::Error::Task { task, .. }) => assert_eq!(task, second.id()),
///     other => panic!("unexpected {other:?}"),
/// }
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(pub(crate) u64);

impl TaskId {
    /// Returns the number.
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task {}", self.0)
    }
}

/// Where a task leaves its value.
pub(crate) type Slot<T> = Arc<Mutex<Option<T>>>;

/// A claim on a task's value, redeemed with [`Outputs::take`] after a successful
/// [`wait`](crate::Group::wait).
///
/// Dropping a handle does nothing to the task: it runs, and counts for `wait`, all the same.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), errgroup::Error<std::num::ParseIntError>> {
/// let group = errgroup::Group::new();
/// let number = group.spawn(async { "42".parse::<u32>() });
/// let outputs = group.wait().await?;
/// assert_eq!(outputs.take(number), 42);
/// # Ok(())
/// # }
/// ```
pub struct TaskHandle<T> {
    group: u64,
    id: TaskId,
    slot: Slot<T>,
}

impl<T> TaskHandle<T> {
    pub(crate) fn new(group: u64, id: TaskId, slot: Slot<T>) -> Self {
        Self { group, id, slot }
    }

    /// Returns the task's id.
    pub fn id(&self) -> TaskId {
        self.id
    }
}

impl<T> fmt::Debug for TaskHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskHandle")
            .field("group", &self.group)
            .field("id", &self.id)
            .finish()
    }
}

/// Proof that every task of a group returned a value: what a successful
/// [`wait`](crate::Group::wait) returns. It redeems the group's [`TaskHandle`]s.
///
/// Only `wait` makes one, so a value cannot be read before its group succeeded:
///
/// ```compile_fail,E0451
/// # async fn demo() {
/// let group = errgroup::Group::<()>::new();
/// let name = group.spawn(async { Ok("Alice") });
/// let outputs = errgroup::Outputs { group: 0 }; // error: `Outputs` cannot be built by hand
/// let early = outputs.take(name);
/// # }
/// ```
pub struct Outputs {
    group: u64,
}

impl Outputs {
    pub(crate) fn new(group: u64) -> Self {
        Self { group }
    }

    /// Returns the value of the task behind `task`.
    ///
    /// # Panics
    ///
    /// Panics if `task` belongs to another group.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), errgroup::Error<()>> {
    /// let group = errgroup::Group::new();
    /// let name = group.spawn(async { Ok("Alice") });
    /// let age = group.spawn(async { Ok(31) });
    /// let outputs = group.wait().await?;
    /// assert_eq!((outputs.take(name), outputs.take(age)), ("Alice", 31));
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn take<T>(&self, task: TaskHandle<T>) -> T {
        assert_eq!(
            task.group, self.group,
            "this task handle belongs to another group"
        );
        let value = task
            .slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        value.expect("a group that succeeded has a value for each of its tasks")
    }
}

impl fmt::Debug for Outputs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outputs")
            .field("group", &self.group)
            .finish()
    }
}
