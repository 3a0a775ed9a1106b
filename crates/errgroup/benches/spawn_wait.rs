//! Workload 1, spawn + wait: N trivial tasks that return `Ok`, then wait for all of them.
//!
//! Compares `errgroup::Group` and `errgroup::Scope` with raw `tokio::spawn` (awaiting every `JoinHandle`), with the
//! least a set of runtime tasks can do (`tokio::spawn` with a shared counter and a `Notify`),
//! with `tokio::task::JoinSet`, and with the futures run inline by `FuturesUnordered`;
//! criterion's throughput gives the time per task.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use common::{
    BARE_SPAWN, ERRGROUP, FUTURES_UNORDERED, Failed, JOINSET, SCOPE, TOKIO_SPAWN, bench, joined,
    timed,
};
use criterion::Criterion;
use errgroup::{Group, Scope};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::sync::Notify;
use tokio::task::JoinSet;

async fn errgroup(tasks: u64) {
    let group = Group::<Failed>::new();
    for _ in 0..tasks {
        group.spawn(async { Ok(()) });
    }
    group.wait().await.expect("every task succeeds");
}

async fn scope(tasks: u64) {
    let mut scope = Scope::new();
    for _ in 0..tasks {
        scope.spawn(async { Ok::<(), Failed>(()) });
    }
    scope.wait().await.expect("every task succeeds");
}

async fn tokio_spawn(tasks: u64) {
    let handles: Vec<_> = (0..tasks)
        .map(|_| tokio::spawn(async { Ok::<(), Failed>(()) }))
        .collect();
    for handle in handles {
        joined(handle.await).expect("every task succeeds");
    }
}

/// The tasks still running, and the waiter to wake when the last one ends.
struct Countdown {
    running: AtomicU64,
    done: Notify,
}

/// Detached tasks that count themselves down; the last one wakes the waiter. No handle, no
/// result, no error: the floor under every group of runtime tasks.
async fn bare_spawn(tasks: u64) {
    let countdown = Arc::new(Countdown {
        running: AtomicU64::new(tasks),
        done: Notify::new(),
    });
    for _ in 0..tasks {
        let countdown = Arc::clone(&countdown);
        tokio::spawn(async move {
            if countdown.running.fetch_sub(1, Ordering::AcqRel) == 1 {
                countdown.done.notify_one();
            }
        });
    }
    countdown.done.notified().await;
}

async fn joinset(tasks: u64) {
    let mut set = JoinSet::new();
    for _ in 0..tasks {
        set.spawn(async { Ok::<(), Failed>(()) });
    }
    while let Some(result) = set.join_next().await {
        joined(result).expect("every task succeeds");
    }
}

async fn futures_unordered(tasks: u64) {
    let mut set: FuturesUnordered<_> = (0..tasks).map(|_| async { Ok::<(), Failed>(()) }).collect();
    while let Some(result) = set.next().await {
        result.expect("every task succeeds");
    }
}

fn spawn_wait(c: &mut Criterion) {
    let rt = common::runtime();
    let mut group = common::group(c, "spawn_wait");
    for tasks in [1_000, 10_000, 100_000] {
        bench(&mut group, &rt, ERRGROUP, tasks, tasks, || {
            timed(errgroup(tasks))
        });
        bench(&mut group, &rt, SCOPE, tasks, tasks, || timed(scope(tasks)));
        bench(&mut group, &rt, TOKIO_SPAWN, tasks, tasks, || {
            timed(tokio_spawn(tasks))
        });
        bench(&mut group, &rt, BARE_SPAWN, tasks, tasks, || {
            timed(bare_spawn(tasks))
        });
        bench(&mut group, &rt, JOINSET, tasks, tasks, || {
            timed(joinset(tasks))
        });
        bench(&mut group, &rt, FUTURES_UNORDERED, tasks, tasks, || {
            timed(futures_unordered(tasks))
        });
    }
    group.finish();
}

fn main() {
    common::run(spawn_wait);
}
