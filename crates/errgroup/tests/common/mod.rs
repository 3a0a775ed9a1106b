//! Helpers shared by the integration tests.

#![allow(dead_code, unreachable_pub)] // each test crate uses a different part of this module

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Counts how many tasks are alive: each `Alive` marks one, until it is dropped (which happens
/// when the task ends in any way, including an abort).
#[derive(Clone, Debug, Default)]
pub struct LiveCounter {
    live: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
    started: Arc<AtomicUsize>,
}

/// One task's mark in a [`LiveCounter`].
#[derive(Debug)]
pub struct Alive(LiveCounter);

impl LiveCounter {
    pub fn enter(&self) -> Alive {
        self.started.fetch_add(1, Ordering::SeqCst);
        let now = self.live.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        Alive(self.clone())
    }

    pub fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }

    /// The largest number of tasks alive at once.
    pub fn most(&self) -> usize {
        self.most.load(Ordering::SeqCst)
    }

    pub fn started(&self) -> usize {
        self.started.load(Ordering::SeqCst)
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Ordering::SeqCst);
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

/// Reads the message of a panic payload.
pub fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<&str>() {
        Ok(message) => message.to_string(),
        Err(payload) => *payload.downcast::<String>().expect("a string panic"),
    }
}
