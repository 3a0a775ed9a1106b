//! The state one group shares with its handles and its tasks.
//!
//! # Invariants
//!
//! - `live` counts the tasks spawned and not yet ended (returned, panicked, skipped or aborted).
//!   It is incremented only while `registry` is locked and `registry.closed` is false, so once
//!   [`Shared::close_when_idle`] has seen it at zero under that lock, it stays at zero.
//! - A failure is recorded in `outcome` *before* the token is cancelled. So a cancelled token with
//!   a clean outcome means somebody outside the group cancelled it (the parent token, or a holder
//!   of the token), and a sibling's "I was cancelled" error never replaces the root cause.
//! - Every spawned task's `AbortHandle` is in `registry.tasks` until the group closes, except
//!   finished ones dropped by compaction; dropping the group aborts all that remain.

use std::any::Any;
use std::future::Future;
use std::mem;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::{Notify, Semaphore};
use tokio::task::AbortHandle;
use tokio_util::sync::CancellationToken;

use crate::Error;
use crate::task::{TaskFuture, TaskGuard};
use crate::task_handle::TaskHandle;

/// A panic payload, as `std::panic::catch_unwind` returns it.
pub(crate) type PanicPayload = Box<dyn Any + Send + 'static>;

/// The smallest registry size at which finished tasks are swept out of it.
const MIN_COMPACTION_LEN: usize = 64;

pub(crate) struct Shared<E> {
    /// Tells this group's task handles and outputs apart from another group's.
    pub(crate) id: u64,
    pub(crate) token: CancellationToken,
    live: AtomicUsize,
    /// Signalled when `live` drops to zero.
    idle: Notify,
    registry: Mutex<Registry>,
    outcome: Mutex<Outcome<E>>,
    /// One permit per free slot, if the group has a limit.
    pub(crate) slots: Option<Semaphore>,
}

struct Registry {
    tasks: Vec<AbortHandle>,
    /// When `tasks` reaches this length, finished tasks are swept out.
    compact_at: usize,
    /// Set when the group has finished waiting or was dropped: no task may start after that.
    closed: bool,
}

/// The first failure of the group, and the first panic (which is never swallowed).
struct Outcome<E> {
    error: Option<Error<E>>,
    panic: Option<PanicPayload>,
}

/// What a group's wait ends with, once every task has ended.
pub(crate) struct Ended<E> {
    pub(crate) error: Option<Error<E>>,
    pub(crate) panic: Option<PanicPayload>,
    /// The tasks not yet known to be finished by the runtime.
    pub(crate) tasks: Vec<AbortHandle>,
}

impl<E> Shared<E> {
    pub(crate) fn new(token: CancellationToken, limit: Option<usize>) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            token,
            live: AtomicUsize::new(0),
            idle: Notify::new(),
            registry: Mutex::new(Registry {
                tasks: Vec::new(),
                compact_at: MIN_COMPACTION_LEN,
                closed: false,
            }),
            outcome: Mutex::new(Outcome::clean()),
            slots: limit.map(Semaphore::new),
        }
    }

    pub(crate) fn task_started(&self) {
        self.live.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn task_ended(&self, holds_slot: bool) {
        if holds_slot {
            self.release_slot();
        }
        if self.live.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.idle.notify_one();
        }
    }

    fn release_slot(&self) {
        if let Some(slots) = &self.slots {
            slots.add_permits(1);
        }
    }

    pub(crate) fn record_error(&self, error: E) {
        {
            let mut outcome = lock(&self.outcome);
            if outcome.is_clean() {
                outcome.error = Some(if self.token.is_cancelled() {
                    Error::Cancelled
                } else {
                    Error::Task(error)
                });
            }
        }
        self.token.cancel();
    }

    pub(crate) fn record_panic(&self, payload: PanicPayload) {
        {
            let mut outcome = lock(&self.outcome);
            if outcome.panic.is_none() {
                outcome.panic = Some(payload);
            }
        }
        self.token.cancel();
    }

    /// Records that a task did not start because the group was already cancelled.
    pub(crate) fn record_skipped(&self) {
        let mut outcome = lock(&self.outcome);
        if outcome.is_clean() {
            outcome.error = Some(Error::Cancelled);
        }
    }

    /// Waits until no task is live, then closes the group so that none can start again.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping it before it completes leaves the group open.
    pub(crate) async fn close_when_idle(&self) -> Ended<E> {
        loop {
            // Created before the check: a task that ends in between leaves a permit in `idle`.
            let idle = self.idle.notified();
            if self.live.load(Ordering::Acquire) == 0 {
                let mut registry = lock(&self.registry);
                if self.live.load(Ordering::Acquire) == 0 {
                    registry.closed = true;
                    let tasks = mem::take(&mut registry.tasks);
                    drop(registry);
                    self.token.cancel();
                    let outcome = mem::replace(&mut *lock(&self.outcome), Outcome::clean());
                    return Ended {
                        error: outcome.error,
                        panic: outcome.panic,
                        tasks,
                    };
                }
            }
            idle.await;
        }
    }

    /// Closes the group, cancels its token and aborts every task still running.
    pub(crate) fn close_and_abort(&self) {
        let tasks = {
            let mut registry = lock(&self.registry);
            registry.closed = true;
            mem::take(&mut registry.tasks)
        };
        self.token.cancel();
        for task in tasks {
            task.abort();
        }
    }

    pub(crate) fn live(&self) -> usize {
        self.live.load(Ordering::Relaxed)
    }
}

impl<E: Send + 'static> Shared<E> {
    /// Starts `body` as a task of this group, unless the group is cancelled or closed.
    ///
    /// `holds_slot` says the caller took a slot for it; the task gives it back when it ends.
    #[track_caller]
    pub(crate) fn spawn<F, T>(self: &Arc<Self>, body: F, holds_slot: bool) -> TaskHandle<T>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
    {
        let mut registry = lock(&self.registry);
        if registry.closed || self.token.is_cancelled() {
            let was_open = !registry.closed;
            drop(registry);
            if holds_slot {
                self.release_slot();
            }
            if was_open {
                self.record_skipped();
            }
            return TaskHandle::not_started(self.id);
        }
        // The guard counts the task as live; if `tokio::spawn` panics (no runtime), it is
        // dropped with the future and the count stays right.
        let guard = TaskGuard::new(Arc::clone(self), holds_slot);
        let join = tokio::spawn(TaskFuture::new(body, guard));
        registry.tasks.push(join.abort_handle());
        if registry.tasks.len() >= registry.compact_at {
            registry.compact();
        }
        drop(registry);
        TaskHandle::started(self.id, join)
    }
}

impl Registry {
    /// Drops the handles of finished tasks; amortised O(1) per spawn, since the next sweep
    /// waits until the registry has doubled again.
    fn compact(&mut self) {
        self.tasks.retain(|task| !task.is_finished());
        self.compact_at = (self.tasks.len() * 2).max(MIN_COMPACTION_LEN);
    }
}

impl<E> Outcome<E> {
    fn clean() -> Self {
        Self {
            error: None,
            panic: None,
        }
    }

    fn is_clean(&self) -> bool {
        self.error.is_none() && self.panic.is_none()
    }
}

/// Locks `mutex`, ignoring poison: every critical section here leaves its state consistent.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
