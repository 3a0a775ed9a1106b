//! [`Outcome`]: the failures a group records while its tasks run, and what `wait` reports.

use crate::Error;
use crate::shared::PanicPayload;

/// The group's failures, in the order they happened.
///
/// `first` is the root cause: the first failure, or [`Error::Cancelled`] if the token was
/// cancelled from outside before any failure. `later` keeps the failures after it, only in a
/// group that keeps all errors. A panic is kept apart, as it is never swallowed (unless the
/// group catches panics, which turns them into [`Error::Panicked`] failures).
pub(crate) struct Outcome<E> {
    pub(crate) first: Option<Error<E>>,
    pub(crate) later: Vec<Error<E>>,
    pub(crate) panic: Option<PanicPayload>,
}

impl<E> Outcome<E> {
    pub(crate) fn clean() -> Self {
        Self {
            first: None,
            later: Vec::new(),
            panic: None,
        }
    }

    /// Whether nothing has gone wrong yet.
    pub(crate) fn is_clean(&self) -> bool {
        self.first.is_none() && self.panic.is_none()
    }

    /// Records `failure`: as the root cause if it is the first thing to go wrong and `is_root`
    /// says so; otherwise behind the root cause, if `keep_all`. Returns it if it is not kept,
    /// for the caller to drop outside its lock.
    ///
    /// When the outcome is clean but `failure` is not the root cause, the token was cancelled
    /// from outside first: the root cause is then [`Error::Cancelled`].
    #[must_use = "drop the rejected failure outside the lock"]
    pub(crate) fn record(
        &mut self,
        failure: Error<E>,
        is_root: bool,
        keep_all: bool,
    ) -> Option<Error<E>> {
        if self.is_clean() {
            if is_root {
                self.first = Some(failure);
                return None;
            }
            self.first = Some(Error::Cancelled);
        }
        if keep_all {
            self.later.push(failure);
            return None;
        }
        Some(failure)
    }

    /// Records that a task will deliver no value, because of `failure` (the group's
    /// cancellation, or its deadline), unless something went wrong before.
    pub(crate) fn record_no_value(&mut self, failure: Error<E>) {
        if self.is_clean() {
            self.first = Some(failure);
        }
    }

    /// Records a panic to resume at `wait`; the first one is kept.
    pub(crate) fn record_panic(&mut self, payload: PanicPayload) {
        self.panic.get_or_insert(payload);
    }
}
