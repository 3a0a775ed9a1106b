//! [`State`]: how many tasks of a group are live, and whether the group is closed, in one atomic
//! word, so that a spawn racing the end of `wait` either counts or is refused.
//!
//! # Invariants
//!
//! - The word is `live << 1 | CLOSED`. `live` counts the tasks accepted and not yet ended
//!   (queued, running, or dropped but not yet accounted for).
//! - Once `CLOSED` is set it stays set, and no task is accepted after it: [`State::enter`] adds
//!   itself and then looks at the bit, so a close that succeeds while the count is zero
//!   ([`State::close_if_idle`]) refuses every later spawn, and a spawn counted first makes that
//!   close fail until the task ends.

use std::sync::atomic::Ordering::AcqRel;

use crate::sync::AtomicUsize;

const CLOSED: usize = 1;
const ONE_TASK: usize = 2;

#[derive(Debug, Default)]
pub(crate) struct State(AtomicUsize);

impl State {
    /// Counts one more live task; `false` (and nothing counted) if the group is closed.
    pub(crate) fn enter(&self) -> bool {
        if self.0.fetch_add(ONE_TASK, AcqRel) & CLOSED == 0 {
            return true;
        }
        self.exit();
        false
    }

    /// Counts one task less; `true` if no task is live any more.
    pub(crate) fn exit(&self) -> bool {
        self.0.fetch_sub(ONE_TASK, AcqRel) >> 1 == 1
    }

    /// Closes the group if no task is live; `true` if it is closed and idle now.
    pub(crate) fn close_if_idle(&self) -> bool {
        match self
            .0
            .compare_exchange(0, CLOSED, AcqRel, std::sync::atomic::Ordering::Acquire)
        {
            Ok(_) => true,
            Err(word) => word == CLOSED,
        }
    }

    /// Closes the group whatever runs: no task is accepted after this.
    pub(crate) fn close(&self) {
        self.0.fetch_or(CLOSED, AcqRel);
    }

    pub(crate) fn live(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::Acquire) >> 1
    }
}
