//! [`Completions`]: a group's values one by one, in the order the tasks complete.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::{Error, Group, TaskId};

/// A [`Group`] whose tasks' values come out one by one as the tasks complete, rather than all
/// at once after `wait`: `JoinSet::join_next`, with the group's fail-fast semantics.
///
/// Build it from any group with `Completions::from(group)`, so every [`Builder`](crate::Builder)
/// option applies (a limit, a deadline, keeping all errors...). Once every task has ended,
/// [`next`](Completions::next) yields the group's failures, if any, and then `None`.
///
/// Dropping it drops the group: its tasks are aborted.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let mut completions = errgroup::Completions::<u64, ()>::new();
/// for delay in [30, 10, 20] {
///     completions.spawn(async move {
///         tokio::time::sleep(Duration::from_millis(delay)).await;
///         Ok(delay)
///     });
/// }
/// let mut order = Vec::new();
/// while let Some(value) = completions.next().await {
///     order.push(value.expect("no task fails"));
/// }
/// assert_eq!(order, [10, 20, 30]);
/// # }
/// ```
pub struct Completions<T, E> {
    group: Group<E>,
    sender: mpsc::UnboundedSender<T>,
    values: mpsc::UnboundedReceiver<T>,
    failures: VecDeque<Error<E>>,
}

impl<T: Send + 'static, E: Send + 'static> Completions<T, E> {
    /// Creates one on a new group with no limit; see [`Group::new`].
    pub fn new() -> Self {
        Self::from(Group::new())
    }

    /// Spawns `task` into the group; its value comes out of [`next`](Completions::next).
    /// Otherwise as [`Group::spawn`].
    ///
    /// # Panics
    ///
    /// As [`Group::spawn`].
    #[track_caller]
    pub fn spawn<F>(&self, task: F) -> TaskId
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
    {
        let sender = self.sender.clone();
        let handle = self.group.spawn(async move {
            // The receiver lives as long as the group, so the send fails only after a drop.
            let _ = sender.send(task.await?);
            Ok(())
        });
        handle.id()
    }

    /// Returns the group's token; see [`Group::token`].
    pub fn token(&self) -> &CancellationToken {
        self.group.token()
    }

    /// Returns the next value to complete; once every task has ended, the group's failures
    /// one by one (see [`Group::wait_all`]), then `None`.
    ///
    /// # Panics
    ///
    /// If a task panicked, resumes the panic once every task has ended, as
    /// [`Group::wait`] does (unless the group catches panics).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a value or failure not returned stays for the next call.
    pub async fn next(&mut self) -> Option<Result<T, Error<E>>> {
        loop {
            if let Ok(value) = self.values.try_recv() {
                return Some(Ok(value));
            }
            if let Some(failure) = self.failures.pop_front() {
                return Some(Err(failure));
            }
            tokio::select! {
                biased;
                Some(value) = self.values.recv() => return Some(Ok(value)),
                () = self.group.shared().idle() => {
                    if self.values.is_empty() {
                        self.failures.extend(self.group.shared().take_failures()?);
                    }
                }
            }
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> From<Group<E>> for Completions<T, E> {
    fn from(group: Group<E>) -> Self {
        let (sender, values) = mpsc::unbounded_channel();
        Self {
            group,
            sender,
            values,
            failures: VecDeque::new(),
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> Default for Completions<T, E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T, E> fmt::Debug for Completions<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Completions")
            .field("group", &self.group)
            .field("ready_values", &self.values.len())
            .finish_non_exhaustive()
    }
}
