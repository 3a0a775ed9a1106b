//! Helpers shared by the integration tests.

#![allow(dead_code, unreachable_pub)] // each test crate uses a different part of this module

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::Notify;

/// Counts how many tasks are alive: each `Alive` marks one, until it is dropped (which happens
/// when the task ends in any way, including an abort, or when a task that captured it is
/// dropped unpolled).
#[derive(Clone, Debug, Default)]
pub struct LiveCounter(Arc<Counts>);

#[derive(Debug, Default)]
struct Counts {
    live: AtomicUsize,
    most: AtomicUsize,
    started: AtomicUsize,
    /// Signalled when `live` falls to zero.
    none_live: Notify,
}

/// One task's mark in a [`LiveCounter`].
#[derive(Debug)]
pub struct Alive(LiveCounter);

impl LiveCounter {
    /// Marks one more task alive, until the returned mark is dropped.
    pub fn enter(&self) -> Alive {
        self.0.started.fetch_add(1, Ordering::SeqCst);
        let now = self.0.live.fetch_add(1, Ordering::SeqCst) + 1;
        self.0.most.fetch_max(now, Ordering::SeqCst);
        Alive(self.clone())
    }

    pub fn live(&self) -> usize {
        self.0.live.load(Ordering::SeqCst)
    }

    /// The largest number of tasks alive at once.
    pub fn most(&self) -> usize {
        self.0.most.load(Ordering::SeqCst)
    }

    /// How many marks were ever made.
    pub fn started(&self) -> usize {
        self.0.started.load(Ordering::SeqCst)
    }

    /// Waits until no mark is alive: aborted tasks are dropped when their runtime next gets to
    /// them, so after dropping a group this is how a test sees them gone. Wrap it in
    /// [`hang_guard`].
    pub async fn none_live(&self) {
        loop {
            let mut none_live = pin!(self.0.none_live.notified());
            none_live.as_mut().enable();
            if self.live() == 0 {
                return;
            }
            none_live.await;
        }
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        if self.0.0.live.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.0.none_live.notify_waiters();
        }
    }
}

/// A task that marks itself started in `counter` when it runs, and succeeds.
pub fn counted<E>(counter: &LiveCounter) -> impl Future<Output = Result<(), E>> + Send + 'static {
    let counter = counter.clone();
    async move {
        let _alive = counter.enter();
        Ok(())
    }
}

pub fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

/// Sleeps `millis` of (paused) tokio time, then returns `result`.
pub async fn after<T, E>(millis: u64, result: Result<T, E>) -> Result<T, E> {
    tokio::time::sleep(ms(millis)).await;
    result
}

/// A task that waits for `token`, then fails with "cancelled": a sibling that reacts to a
/// failure with an error of its own.
pub async fn fails_when_cancelled<T>(
    token: errgroup::CancellationToken,
) -> Result<T, &'static str> {
    token.cancelled().await;
    Err("cancelled")
}

/// How long a test lets a future run before it calls it a hang. Only a guard against hanging
/// forever: assertions are never about this time. On a paused clock it fires as soon as
/// nothing else can happen.
pub const HANG_GUARD: Duration = Duration::from_secs(10);

/// Runs `future`, panicking with `what` if it has not completed within [`HANG_GUARD`].
pub async fn hang_guard<F: Future>(what: &str, future: F) -> F::Output {
    match tokio::time::timeout(HANG_GUARD, future).await {
        Ok(output) => output,
        Err(_) => panic!("{what} hung"),
    }
}

/// Reads the message of a panic payload.
pub fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<&str>() {
        Ok(message) => message.to_string(),
        Err(payload) => *payload.downcast::<String>().expect("a string panic"),
    }
}
