//! [`Slots`]: how a limited group keeps at most `limit` tasks running, with a bounded backlog of
//! tasks waiting for a slot.
//!
//! # Why a backlog
//!
//! The plain design (the producer waits for a free slot, then spawns) makes every task that
//! ends wake the producer, and every spawn wake a worker. When the producer runs outside the
//! runtime's workers (`#[tokio::main]`'s `block_on`), each is a thread hand-off through the
//! kernel, and a limit of 2 costs some 20 times the unlimited spawn. Go pays nothing there: its
//! scheduler hands the slot to the blocked goroutine on the same thread.
//!
//! So a limited spawn only waits for a place in a small **backlog**: the task is spawned at
//! once and waits *inside the runtime* for a slot ([`Slots::admission`]). A task that ends hands
//! its slot to the next queued task on the same worker, with no thread hand-off, and the
//! producer is woken once per half a backlog ([`Slots::leave_backlog`]) rather than once per
//! task. At most `limit` bodies run; at most [`backlog_len`] tasks wait, so a producer of a
//! million tasks still holds only a few dozen.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Semaphore;

/// The smallest backlog: enough to amortise the producer's wake-ups at small limits.
pub(crate) const MIN_BACKLOG: usize = 32;

/// How many tasks may wait for a slot in a group limited to `limit`.
pub(crate) fn backlog_len(limit: usize) -> usize {
    limit.max(MIN_BACKLOG)
}

/// What a task holds of its group's slots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SlotHold {
    /// Nothing: the group has no limit, or the task will not run.
    Nothing,
    /// A slot: the task may run now.
    Slot,
    /// A place in the backlog: the task waits for a slot before it runs.
    Backlog,
}

pub(crate) struct Slots {
    /// One permit per task that may run now. Closed when the group is cancelled, which admits
    /// no more tasks and releases every queued one.
    pub(crate) running: Arc<Semaphore>,
    /// One permit per free place in the backlog.
    backlog: Semaphore,
    /// How many tasks have left the backlog; places return to `backlog` in batches.
    left: AtomicUsize,
    batch: usize,
}

impl Slots {
    pub(crate) fn new(limit: usize) -> Self {
        let backlog = backlog_len(limit);
        Self {
            running: Arc::new(Semaphore::new(limit)),
            backlog: Semaphore::new(backlog),
            left: AtomicUsize::new(0),
            batch: backlog / 2,
        }
    }

    /// Takes a slot if one is free now; `None` if none is, or the group is cancelled.
    pub(crate) fn try_take_slot(&self) -> Option<SlotHold> {
        let permit = self.running.try_acquire().ok()?;
        permit.forget();
        Some(SlotHold::Slot)
    }

    /// Waits for a place in the backlog.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: no place is taken unless it completes.
    pub(crate) async fn enter_backlog(&self) -> SlotHold {
        let permit = self
            .backlog
            .acquire()
            .await
            .expect("a backlog is never closed");
        permit.forget();
        SlotHold::Backlog
    }

    /// Takes a place in the backlog if one is free now.
    pub(crate) fn try_enter_backlog(&self) -> Option<SlotHold> {
        let permit = self.backlog.try_acquire().ok()?;
        permit.forget();
        Some(SlotHold::Backlog)
    }

    /// The future a queued task waits on before it runs: `true` once it holds a slot, `false`
    /// if the group was cancelled first.
    pub(crate) fn admission(&self) -> impl Future<Output = bool> + Send + 'static {
        let running = Arc::clone(&self.running);
        async move {
            match running.acquire_owned().await {
                Ok(permit) => {
                    permit.forget();
                    true
                }
                Err(_closed) => false,
            }
        }
    }

    /// Gives back what a task held.
    pub(crate) fn release(&self, hold: SlotHold) {
        match hold {
            SlotHold::Nothing => {}
            SlotHold::Slot => self.running.add_permits(1),
            SlotHold::Backlog => self.leave_backlog(),
        }
    }

    /// Frees a task's place in the backlog. Places go back in batches of half the backlog, so a
    /// producer waiting for room is woken once per batch, not once per task.
    fn leave_backlog(&self) {
        // Every count is seen by exactly one caller, so each batch is returned once.
        if (self.left.fetch_add(1, Ordering::AcqRel) + 1).is_multiple_of(self.batch) {
            self.backlog.add_permits(self.batch);
        }
    }
}
