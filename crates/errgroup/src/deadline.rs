//! A group's deadline: a timer that cancels the group when it passes (Java's `withTimeout`,
//! Trio's `fail_after`).

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::shared::Shared;

/// When a group's deadline passes, and how long the group had until then.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline {
    pub(crate) at: Instant,
    pub(crate) timeout: Duration,
}

impl Deadline {
    pub(crate) fn after(timeout: Duration) -> Self {
        Self {
            at: Instant::now() + timeout,
            timeout,
        }
    }

    pub(crate) fn at(at: Instant) -> Self {
        Self {
            at,
            timeout: at.saturating_duration_since(Instant::now()),
        }
    }

    /// Starts the timer of `shared`'s deadline, if it has one; returns whether nothing is left
    /// to arm. The timer ends when the deadline passes (recording the failure and cancelling the
    /// token) or when the token is cancelled for another reason, so it never outlives the group.
    pub(crate) fn arm<E: Send + 'static>(shared: &Arc<Shared<E>>) -> bool {
        let Some(deadline) = shared.deadline else {
            return true;
        };
        let shared = Arc::clone(shared);
        tokio::spawn(async move {
            tokio::select! {
                () = tokio::time::sleep_until(deadline.at) => shared.deadline_passed(&deadline),
                () = shared.token().cancelled() => {}
            }
        });
        true
    }
}
