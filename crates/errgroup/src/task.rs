//! [`TaskFuture`]: a task of a group as the runtime (or a worker) polls it. It skips the task if
//! the group is cancelled before its first poll, turns its end into the group's bookkeeping,
//! and leaves its value in its handle's slot.

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, PoisonError};
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::TaskId;
use crate::handle::Slot;
use crate::shared::Shared;

/// Accounts for a task however it ends: returned, skipped, panicked or dropped from outside.
pub(crate) struct TaskGuard<E> {
    pub(crate) shared: Arc<Shared<E>>,
    pub(crate) id: TaskId,
    /// The task's entry in the registry, if it runs on a runtime task of its own.
    pub(crate) key: Option<usize>,
    started: bool,
    ended: bool,
}

impl<E> Drop for TaskGuard<E> {
    fn drop(&mut self) {
        if !self.ended {
            self.shared.task_lost(self.id, self.started);
        }
        self.shared.task_ended(self.key);
    }
}

pin_project! {
    pub(crate) struct TaskFuture<F, T, E> {
        #[pin]
        body: Option<F>,
        slot: Slot<T>,
        guard: TaskGuard<E>,
    }
}

impl<F, T, E> TaskFuture<F, T, E> {
    pub(crate) fn new(body: F, slot: Slot<T>, guard: TaskGuard<E>) -> Self {
        Self {
            body: Some(body),
            slot,
            guard,
        }
    }
}

impl<E> TaskGuard<E> {
    pub(crate) fn new(shared: Arc<Shared<E>>, id: TaskId, key: Option<usize>) -> Self {
        Self {
            shared,
            id,
            key,
            started: false,
            ended: false,
        }
    }
}

impl<F, T, E> Future for TaskFuture<F, T, E>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        let guard = &mut *this.guard;
        let shared = &*guard.shared;
        if !std::mem::replace(&mut guard.started, true) && shared.is_cancelled() {
            // No work starts after cancellation: the body is dropped unpolled, and the group
            // learns that the task owed a value.
            guard.ended = true;
            shared.task_lost(guard.id, false);
            end_body(this.body, shared, guard.id);
            return Poll::Ready(());
        }
        let Some(body) = this.body.as_mut().as_pin_mut() else {
            return Poll::Ready(());
        };
        match panic::catch_unwind(AssertUnwindSafe(|| body.poll(cx))) {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(Ok(value))) => {
                *this.slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(value);
                guard.ended = true;
            }
            Ok(Poll::Ready(Err(error))) => {
                guard.ended = true;
                // Recording may drop the error (a later one), which runs its code.
                let recorded = AssertUnwindSafe(|| shared.record_error(guard.id, error));
                if let Err(payload) = panic::catch_unwind(recorded) {
                    shared.record_panic(guard.id, payload);
                }
            }
            Err(payload) => {
                guard.ended = true;
                shared.record_panic(guard.id, payload);
            }
        }
        end_body(this.body, shared, guard.id);
        Poll::Ready(())
    }
}

/// Drops a task's body, where a panic in its destructor counts as the task's panic.
fn end_body<F, E>(mut body: Pin<&mut Option<F>>, shared: &Shared<E>, id: TaskId) {
    if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| body.set(None))) {
        shared.record_panic(id, payload);
    }
}
