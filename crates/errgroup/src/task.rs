//! The future every spawned task runs: the caller's body, wrapped so that its end is counted,
//! its error recorded and its panic caught.

use std::future::Future;
use std::mem;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::TaskId;
use crate::shared::Shared;

/// Counts one task as live for as long as it exists, and gives back its slot when it goes.
///
/// It is dropped when the task ends in any way: returned, panicked, skipped, or aborted by the
/// runtime (which drops the future).
pub(crate) struct TaskGuard<E> {
    shared: Arc<Shared<E>>,
    id: TaskId,
    holds_slot: bool,
}

impl<E> TaskGuard<E> {
    pub(crate) fn new(shared: Arc<Shared<E>>, id: TaskId, holds_slot: bool) -> Self {
        shared.task_started();
        Self {
            shared,
            id,
            holds_slot,
        }
    }
}

impl<E> Drop for TaskGuard<E> {
    fn drop(&mut self) {
        self.shared.task_ended(self.holds_slot);
    }
}

pin_project! {
    /// Runs `body` unless the group is cancelled before its first poll; yields `Some(value)`
    /// on success and `None` otherwise (the failure is recorded in the group).
    pub(crate) struct TaskFuture<F, E> {
        #[pin]
        body: Body<F>,
        started: bool,
        guard: TaskGuard<E>,
    }
}

pin_project! {
    #[project = BodyProj]
    #[project_replace = BodyReplace]
    enum Body<F> {
        Running { #[pin] future: F },
        Ended,
    }
}

impl<F, E> TaskFuture<F, E> {
    pub(crate) fn new(future: F, guard: TaskGuard<E>) -> Self {
        Self {
            body: Body::Running { future },
            started: false,
            guard,
        }
    }
}

impl<F, T, E> Future for TaskFuture<F, E>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut this = self.project();
        let (shared, id) = (&this.guard.shared, this.guard.id);
        if !mem::replace(this.started, true) && shared.token.is_cancelled() {
            // No work starts after cancellation: the body is dropped unpolled.
            end_body(this.body, shared, id);
            shared.record_skipped();
            return Poll::Ready(None);
        }
        let BodyProj::Running { future } = this.body.as_mut().project() else {
            panic!("a group task was polled after it ended");
        };
        let ended = match panic::catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(Ok(value))) => Some(value),
            Ok(Poll::Ready(Err(error))) => {
                shared.record_error(id, error);
                None
            }
            Err(payload) => {
                shared.record_panic(id, payload);
                None
            }
        };
        end_body(this.body, shared, id);
        Poll::Ready(ended)
    }
}

/// Drops the body here rather than in the runtime, so that a panic in its destructor is caught
/// too, and its resources are released before the group counts the task as ended.
fn end_body<F, E>(body: Pin<&mut Body<F>>, shared: &Shared<E>, id: TaskId) {
    if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| {
        body.project_replace(Body::Ended);
    })) {
        shared.record_panic(id, payload);
    }
}
