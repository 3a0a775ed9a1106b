//! [`Cancellation`]: whether and why a group's token is cancelled, readable without its lock.
//!
//! `CancellationToken::is_cancelled` takes the token's internal mutex, which every task would
//! take on its first poll, contending across workers. Instead the group polls
//! `cancelled_owned()` once, with a waker that sets an atomic flag: the token wakes its waiters
//! inside `cancel()`, so the flag is set before `cancel()` returns, whoever cancels the token
//! (the group, its parent, or a holder of the token).
//!
//! The flag lags the token by a little: `cancel()` marks the token, releases its lock, and only
//! then wakes the waiters. So the flag serves where a late answer is harmless (a task's first
//! poll racing with a `cancel()` that has not returned yet), and [`Cancellation::is_cancelled`]
//! asks the token itself where it is not (refusing a spawn, naming the root cause).
//!
//! The waker also freezes the [`Cause`] of a cancellation from outside the group at the moment
//! it happens, and closes a limited group's slots, which releases its queued tasks.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Wake, Waker};

use tokio::sync::Semaphore;
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

use crate::Cause;
use crate::cause::CauseCell;

pub(crate) struct Cancellation {
    state: Arc<State>,
    /// Keeps the waker registered with the token for as long as the group lives.
    _registration: Pin<Box<WaitForCancellationFutureOwned>>,
}

struct State {
    token: CancellationToken,
    parent: Option<CancellationToken>,
    flag: AtomicBool,
    cause: CauseCell,
    /// Closed on cancellation: a limited group's slots, so that its queued tasks stop waiting.
    close_on_cancel: Option<Arc<Semaphore>>,
}

impl Wake for State {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.cause.set_if_unset(|| self.outside_cause());
        self.flag.store(true, Ordering::Release);
        if let Some(semaphore) = &self.close_on_cancel {
            semaphore.close();
        }
    }
}

impl State {
    /// The cause of a cancellation that did not come from the group itself.
    fn outside_cause(&self) -> Cause {
        match &self.parent {
            Some(parent) if parent.is_cancelled() => Cause::ParentCancelled,
            _ => Cause::TokenCancelled,
        }
    }
}

impl Cancellation {
    /// Starts watching `token`, a child of `parent` if there is one; closes `close_on_cancel`
    /// when it is cancelled.
    pub(crate) fn watch(
        token: CancellationToken,
        parent: Option<CancellationToken>,
        close_on_cancel: Option<Arc<Semaphore>>,
    ) -> Self {
        let state = Arc::new(State {
            token: token.clone(),
            parent,
            flag: AtomicBool::new(false),
            cause: CauseCell::default(),
            close_on_cancel,
        });
        let mut registration = Box::pin(token.cancelled_owned());
        let waker = Waker::from(Arc::clone(&state));
        if registration
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_ready()
        {
            waker.wake();
        }
        Self {
            state,
            _registration: registration,
        }
    }

    pub(crate) fn token(&self) -> &CancellationToken {
        &self.state.token
    }

    /// Whether the token is cancelled, by one atomic load; may lag a `cancel()` in progress.
    pub(crate) fn seen(&self) -> bool {
        self.state.flag.load(Ordering::Acquire)
    }

    /// Whether the token is cancelled: exact, and takes the token's lock unless `seen`.
    pub(crate) fn is_cancelled(&self) -> bool {
        self.seen() || self.state.token.is_cancelled()
    }

    /// Returns why the token was cancelled, or `None` if it was not.
    pub(crate) fn cause(&self) -> Option<Cause> {
        match self.state.cause.get() {
            Some(cause) => Some(cause),
            None if self.state.token.is_cancelled() => Some(self.state.outside_cause()),
            None => None,
        }
    }

    /// Sets the cause to `cause`, unless one is set or the token was cancelled from outside
    /// first; returns the cause that sticks.
    pub(crate) fn settle(&self, cause: Cause) -> Cause {
        self.state.cause.set_if_unset(|| {
            if self.state.token.is_cancelled() {
                self.state.outside_cause()
            } else {
                cause
            }
        })
    }
}
