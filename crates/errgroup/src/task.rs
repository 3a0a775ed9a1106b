//! The future every spawned task runs: the caller's body, wrapped so that its end is counted,
//! its error recorded and its panic caught.

use std::future::Future;
use std::mem;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use pin_project_lite::pin_project;

use crate::TaskId;
use crate::shared::Shared;
use crate::slots::SlotHold;

/// Counts one task as live for as long as it exists, and gives back what it holds of the
/// group's slots when it goes.
///
/// It is dropped when the task ends in any way: returned, panicked, skipped, or aborted by the
/// runtime (which drops the future).
pub(crate) struct TaskGuard<E> {
    shared: Arc<Shared<E>>,
    id: TaskId,
    hold: SlotHold,
    /// Whether the task ended by itself, having delivered its value or recorded why not.
    ended: bool,
}

impl<E> TaskGuard<E> {
    pub(crate) fn new(shared: Arc<Shared<E>>, id: TaskId, hold: SlotHold) -> Self {
        shared.task_started();
        Self {
            shared,
            id,
            hold,
            ended: false,
        }
    }

    /// Leaves the backlog: with a slot if `admitted`, with nothing if the group was cancelled.
    fn admitted(&mut self, admitted: bool) {
        self.shared
            .release(mem::replace(&mut self.hold, SlotHold::Nothing));
        if admitted {
            self.hold = SlotHold::Slot;
        }
    }
}

impl<E> Drop for TaskGuard<E> {
    fn drop(&mut self) {
        if !self.ended {
            // Dropped from outside: aborted, or its runtime shut down. It has no value.
            self.shared.record_no_value();
        }
        self.shared.task_ended(self.hold);
    }
}

pin_project! {
    /// Waits for its admission (a slot), if it has one to wait for; then runs `body` unless the
    /// group is cancelled by then. Yields `Some(value)` on success and `None` otherwise (the
    /// failure is recorded in the group).
    pub(crate) struct TaskFuture<F, G, E> {
        #[pin]
        admission: Admission<G>,
        #[pin]
        body: Body<F>,
        started: bool,
        guard: TaskGuard<E>,
    }
}

pin_project! {
    #[project = AdmissionProj]
    enum Admission<G> {
        Waiting { #[pin] slot: G },
        Admitted,
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

impl<F, G, E> TaskFuture<F, G, E> {
    pub(crate) fn new(future: F, admission: Option<G>, guard: TaskGuard<E>) -> Self {
        Self {
            admission: match admission {
                Some(slot) => Admission::Waiting { slot },
                None => Admission::Admitted,
            },
            body: Body::Running { future },
            started: false,
            guard,
        }
    }
}

impl<F, G, T, E> Future for TaskFuture<F, G, E>
where
    F: Future<Output = Result<T, E>>,
    G: Future<Output = bool>,
{
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut this = self.project();
        if let AdmissionProj::Waiting { slot } = this.admission.as_mut().project() {
            let admitted = ready!(slot.poll(cx));
            this.admission.set(Admission::Admitted);
            this.guard.admitted(admitted);
        }
        let (shared, id) = (&this.guard.shared, this.guard.id);
        if !mem::replace(this.started, true) && shared.cancellation.seen() {
            // No work starts after cancellation: the body is dropped unpolled.
            end_body(this.body, shared, id);
            shared.record_no_value();
            this.guard.ended = true;
            return Poll::Ready(None);
        }
        let BodyProj::Running { future } = this.body.as_mut().project() else {
            panic!("a group task was polled after it ended");
        };
        let ended = match panic::catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(Ok(value))) => Some(value),
            Ok(Poll::Ready(Err(error))) => {
                // Recording may drop the error (a later one), which runs its code.
                if let Err(payload) =
                    panic::catch_unwind(AssertUnwindSafe(|| shared.record_error(id, error)))
                {
                    shared.record_panic(id, payload);
                }
                None
            }
            Err(payload) => {
                shared.record_panic(id, payload);
                None
            }
        };
        end_body(this.body, shared, id);
        this.guard.ended = true;
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
