//! Task identity: [`TaskId`], [`TaskInfo`], and [`named`] to give a task a name.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;

/// A task's number within its group: 0 for the first task spawned, 1 for the next, and so on.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let group = errgroup::Group::<()>::new();
/// let first = group.spawn(async { Ok(()) });
/// let second = group.spawn(async { Ok(()) });
/// assert_eq!(first.id().as_u64(), 0);
/// assert_eq!(second.id().as_u64(), 1);
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(pub(crate) u64);

impl TaskId {
    /// Returns the number.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = errgroup::Group::<()>::new();
    /// assert_eq!(group.spawn(async { Ok(()) }).id().as_u64(), 0);
    /// # }
    /// ```
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task {}", self.0)
    }
}

/// Which task of a group failed, panicked or was aborted: its [`TaskId`] and its name, if it
/// was spawned with [`named`].
///
/// # Examples
///
/// ```
/// use errgroup::{Error, Group, named};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let group = Group::new();
/// group.spawn(named("profile", async { Err::<(), _>("timed out") }));
/// let Err(Error::Task { task, .. }) = group.wait().await else { panic!("the task failed") };
/// assert_eq!(task.name(), Some("profile"));
/// assert_eq!(task.to_string(), "task 0 (profile)");
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TaskInfo {
    id: TaskId,
    name: Option<Cow<'static, str>>,
}

impl TaskInfo {
    pub(crate) fn new(id: TaskId, name: Option<Cow<'static, str>>) -> Self {
        Self { id, name }
    }

    /// Returns the task's number in its group.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = errgroup::Group::new();
    /// let task = group.spawn(async { Err::<(), _>("boom") });
    /// let Err(errgroup::Error::Task { task: failed, .. }) = group.wait().await else { panic!() };
    /// assert_eq!(failed.id(), task.id());
    /// # }
    /// ```
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// Returns the task's name, if it was spawned with [`named`].
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = errgroup::Group::new();
    /// group.spawn(async { Err::<(), _>("boom") });
    /// let Err(errgroup::Error::Task { task, .. }) = group.wait().await else { panic!() };
    /// assert_eq!(task.name(), None);
    /// # }
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
}

impl fmt::Display for TaskInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{} ({name})", self.id),
            None => write!(f, "{}", self.id),
        }
    }
}

/// Names a task: `group.spawn(named("profile", fetch_profile()))`.
///
/// The name appears in [`TaskInfo`], so errors, caught panics and shutdown reports say which
/// task they are about, and in the task's `tracing` span with the `tracing` feature. Unnamed
/// tasks pay nothing for names.
///
/// # Examples
///
/// ```
/// use errgroup::{Group, named};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let group = Group::new();
/// for shard in 0..3 {
///     group.spawn(named(format!("shard {shard}"), async move {
///         if shard == 2 { Err("corrupt") } else { Ok(()) }
///     }));
/// }
/// let Err(errgroup::Error::Task { task, error }) = group.wait().await else { panic!() };
/// assert_eq!((task.name(), error), (Some("shard 2"), "corrupt"));
/// # }
/// ```
pub fn named<F>(name: impl Into<Cow<'static, str>>, task: F) -> Named<F> {
    Named::with_name(Some(name.into()), task)
}

/// A task with a name, made by [`named`]; spawn it like any task.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let task: errgroup::Named<_> = errgroup::named("answer", async { Ok::<_, ()>(42) });
/// let group = errgroup::Group::new();
/// let answer = group.spawn(task);
/// assert_eq!(group.wait().await.unwrap().take(answer), 42);
/// # }
/// ```
#[derive(Debug)]
pub struct Named<F> {
    name: Option<Cow<'static, str>>,
    task: F,
}

impl<F> Named<F> {
    /// Wraps `task`, keeping the name of the task it replaces, if that one had one.
    pub(crate) fn with_name(name: Option<Cow<'static, str>>, task: F) -> Self {
        Self { name, task }
    }
}

/// A future a group can run as a task: any `Future<Output = Result<T, E>>`, or one wrapped by
/// [`named`]. Sealed; it only exists to let [`named`] tasks go through the same `spawn`.
///
/// # Examples
///
/// Code generic over what it spawns takes a `Task`:
///
/// ```
/// use errgroup::{Group, Task, TaskHandle, named};
///
/// fn spawn_counted<E: Send + 'static, T: Task<E>>(group: &Group<E>, spawned: &mut usize, task: T) -> TaskHandle<T::Output> {
///     *spawned += 1;
///     group.spawn(task)
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let group = Group::<()>::new();
/// let mut spawned = 0;
/// spawn_counted(&group, &mut spawned, async { Ok(1) });
/// spawn_counted(&group, &mut spawned, named("second", async { Ok(2) }));
/// assert_eq!(spawned, 2);
/// # }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot run as a task of a group whose error type is `{E}`",
    label = "a group task must be a future returning `Result<T, {E}>`"
)]
pub trait Task<E>: sealed::Sealed<E> {
    /// The value the task returns on success.
    type Output: Send + 'static;
    /// The future the task runs.
    type Future: Future<Output = Result<Self::Output, E>> + Send + 'static;

    /// Splits the task into its future and its name.
    #[doc(hidden)]
    fn into_parts(self) -> (Self::Future, Option<Cow<'static, str>>);
}

impl<F, T, E> Task<E> for F
where
    F: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
{
    type Output = T;
    type Future = F;

    fn into_parts(self) -> (F, Option<Cow<'static, str>>) {
        (self, None)
    }
}

impl<F, T, E> Task<E> for Named<F>
where
    F: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
{
    type Output = T;
    type Future = F;

    fn into_parts(self) -> (F, Option<Cow<'static, str>>) {
        (self.task, self.name)
    }
}

mod sealed {
    use std::future::Future;

    pub trait Sealed<E> {}
    impl<F: Future<Output = Result<T, E>>, T, E> Sealed<E> for F {}
    impl<F, E> Sealed<E> for super::Named<F> {}
}
