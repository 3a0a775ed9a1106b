//! [`Group::shutdown`]: cancel, give the tasks a grace period, then abort the rest.

use std::time::Duration;

use crate::{Cause, ErrorMode, Group, Limit, Outputs, TaskInfo};

impl<E, L: Limit, M: ErrorMode> Group<E, L, M> {
    /// Shuts the group down gracefully: cancels its token, gives the tasks `grace` to end, aborts
    /// those still running after it, and reports which tasks it had to abort.
    ///
    /// This is the token + tracker + timeout recipe for graceful shutdown in one call. Tasks that
    /// watch the token end within the grace period; the others are aborted, and so are never
    /// polled again.
    ///
    /// # Panics
    ///
    /// If a task panicked (in a group that does not [catch panics](crate::Builder::catch_panics)),
    /// the first panic resumes here once every task has ended, as in [`wait`](Group::wait).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it completes drops the group: every task still running is
    /// aborted at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// use errgroup::{Group, named};
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let group = Group::<()>::new();
    /// group.spawn_with_token(|token| named("polite", async move {
    ///     token.cancelled().await;
    ///     Ok(())
    /// }));
    /// group.spawn(named("stubborn", std::future::pending::<Result<(), ()>>()));
    /// tokio::task::yield_now().await;
    ///
    /// let report = group.shutdown(Duration::from_secs(5)).await;
    /// let aborted: Vec<_> = report.aborted().iter().map(|task| task.name()).collect();
    /// assert_eq!(aborted, [Some("stubborn")]);
    /// # }
    /// ```
    pub async fn shutdown(self, grace: Duration) -> Shutdown<M::Failure<E>> {
        let shared = self.handle.shared();
        shared.cancel(Cause::ShutDown);
        let mut aborted = Vec::new();
        let ended = tokio::select! {
            ended = shared.close_when_idle() => ended,
            () = tokio::time::sleep(grace) => {
                aborted = shared.abort_running();
                shared.close_when_idle().await
            }
        };
        Shutdown {
            aborted,
            result: ended.finish::<M>(shared.id).await,
        }
    }
}

/// What [`Group::shutdown`] did: the tasks it aborted after the grace period, and what `wait`
/// would have returned.
///
/// `F` is the group's failure type: [`Error<E>`](crate::Error), or
/// [`Errors<E>`](crate::Errors) in a group that keeps all errors.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let group = errgroup::Group::<()>::new();
/// let answer = group.spawn(async { Ok(42) });
/// let report = group.shutdown(Duration::from_secs(1)).await;
/// assert!(report.aborted().is_empty());
/// # drop(answer);
/// # }
/// ```
#[derive(Debug)]
pub struct Shutdown<F> {
    aborted: Vec<TaskInfo>,
    result: Result<Outputs, F>,
}

impl<F> Shutdown<F> {
    /// Returns the tasks that were still running when the grace period ended, and were aborted.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let group = errgroup::Group::<()>::new();
    /// let stuck = group.spawn(std::future::pending::<Result<(), ()>>());
    /// tokio::task::yield_now().await;
    /// let report = group.shutdown(Duration::from_millis(100)).await;
    /// assert_eq!(report.aborted()[0].id(), stuck.id());
    /// # }
    /// ```
    pub fn aborted(&self) -> &[TaskInfo] {
        &self.aborted
    }

    /// Returns what `wait` would have returned: the outputs if every task delivered its value
    /// (it may have, if the tasks ignored the cancellation and ended within the grace period),
    /// or the group's failure ([`Error::Cancelled`](crate::Error::Cancelled) if only the
    /// shutdown stopped it).
    ///
    /// # Errors
    ///
    /// Returns the group's failure, as [`wait`](Group::wait) does.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let group = errgroup::Group::<()>::new();
    /// group.spawn_with_token(|token| async move {
    ///     token.cancelled().await;
    ///     Err::<(), _>(())
    /// });
    /// tokio::task::yield_now().await;
    /// let report = group.shutdown(Duration::from_secs(1)).await;
    /// assert!(matches!(report.into_result(), Err(errgroup::Error::Cancelled)));
    /// # }
    /// ```
    pub fn into_result(self) -> Result<Outputs, F> {
        self.result
    }
}
