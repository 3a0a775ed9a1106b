//! [`CancelledFlag`]: the group token's state in an atomic, so that the hot path never locks.
//!
//! `CancellationToken::is_cancelled` takes the token's internal mutex, which every task would
//! take at least twice (at spawn and on its first poll), contending across workers. Instead the
//! group polls `cancelled_owned()` once, with a waker that sets this flag: the token wakes its
//! waiters inside `cancel()`, so the flag is set before `cancel()` returns, whoever cancels the
//! token (the group, its parent, or a holder of the token). No task and no timer is involved.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Wake, Waker};

use tokio::sync::Semaphore;
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

/// Whether the group's token is cancelled, readable with one atomic load.
pub(crate) struct CancelledFlag {
    cancelled: Arc<Cancelled>,
    /// Keeps the flag's waker registered with the token for as long as the group lives.
    _registration: Pin<Box<WaitForCancellationFutureOwned>>,
}

struct Cancelled {
    flag: AtomicBool,
    /// Closed on cancellation: a limited group's slots, so that its queued tasks stop waiting.
    close_on_cancel: Option<Arc<Semaphore>>,
}

impl Wake for Cancelled {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.flag.store(true, Ordering::Release);
        if let Some(semaphore) = &self.close_on_cancel {
            semaphore.close();
        }
    }
}

impl CancelledFlag {
    /// Starts mirroring `token`; closes `close_on_cancel` when it is cancelled.
    pub(crate) fn watch(
        token: &CancellationToken,
        close_on_cancel: Option<Arc<Semaphore>>,
    ) -> Self {
        let cancelled = Arc::new(Cancelled {
            flag: AtomicBool::new(false),
            close_on_cancel,
        });
        let mut registration = Box::pin(token.clone().cancelled_owned());
        let waker = Waker::from(Arc::clone(&cancelled));
        if registration
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_ready()
        {
            waker.wake();
        }
        Self {
            cancelled,
            _registration: registration,
        }
    }

    pub(crate) fn is_set(&self) -> bool {
        self.cancelled.flag.load(Ordering::Acquire)
    }
}
