//! Workload 3, limit: 100,000 trivial tasks through a limit of 2 and of 64, once with the
//! backpressure spawn (`limit_spawn`: wait for a free slot) and once with try-spawn
//! (`limit_try_spawn`: retry after `yield_now` while every slot is taken, as Go's `TryGo` is
//! used with `runtime.Gosched`).
//!
//! The hand-written alternatives hold a `tokio::sync::Semaphore` permit in each task. Compare
//! with `spawn_wait/*/100000` for the cost of the limit itself.

mod common;

use std::sync::Arc;

use common::{ERRGROUP, Failed, JOINSET, TOKIO_SPAWN, bench, joined, timed};
use criterion::Criterion;
use errgroup::Builder;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::{JoinSet, yield_now};

const TASKS: u64 = 100_000;

/// How the producer gets a slot.
#[derive(Clone, Copy)]
enum Spawn {
    /// Wait for a free slot.
    Backpressure,
    /// Try, and yield to the runtime while every slot is taken.
    Try,
}

async fn permit(slots: &Arc<Semaphore>, spawn: Spawn) -> OwnedSemaphorePermit {
    match spawn {
        Spawn::Backpressure => Arc::clone(slots)
            .acquire_owned()
            .await
            .expect("the semaphore stays open"),
        Spawn::Try => loop {
            if let Ok(permit) = Arc::clone(slots).try_acquire_owned() {
                break permit;
            }
            yield_now().await;
        },
    }
}

async fn errgroup(limit: usize, spawn: Spawn) {
    let group = Builder::new().limit(limit).build::<Failed>();
    for _ in 0..TASKS {
        match spawn {
            Spawn::Backpressure => {
                group.spawn(async { Ok(()) }).await;
            }
            Spawn::Try => {
                let mut task = async { Ok(()) };
                while let Err(full) = group.try_spawn(task) {
                    task = full.into_inner();
                    yield_now().await;
                }
            }
        }
    }
    group.wait().await.expect("every task succeeds");
}

async fn tokio_spawn(limit: usize, spawn: Spawn) {
    let slots = Arc::new(Semaphore::new(limit));
    let mut handles = Vec::new();
    for _ in 0..TASKS {
        let permit = permit(&slots, spawn).await;
        handles.push(tokio::spawn(async move {
            drop(permit);
            Ok::<(), Failed>(())
        }));
    }
    for handle in handles {
        joined(handle.await).expect("every task succeeds");
    }
}

/// `JoinSet` + `Semaphore`, reaping finished tasks while spawning so the set stays small.
async fn joinset(limit: usize, spawn: Spawn) {
    let slots = Arc::new(Semaphore::new(limit));
    let mut set = JoinSet::new();
    for _ in 0..TASKS {
        let permit = permit(&slots, spawn).await;
        set.spawn(async move {
            drop(permit);
            Ok::<(), Failed>(())
        });
        while let Some(result) = set.try_join_next() {
            joined(result).expect("every task succeeds");
        }
    }
    while let Some(result) = set.join_next().await {
        joined(result).expect("every task succeeds");
    }
}

fn limit(c: &mut Criterion) {
    let rt = common::runtime();
    for (name, spawn) in [
        ("limit_spawn", Spawn::Backpressure),
        ("limit_try_spawn", Spawn::Try),
    ] {
        let mut group = common::group(c, name);
        for limit in [2, 64] {
            bench(&mut group, &rt, ERRGROUP, limit, TASKS, || {
                timed(errgroup(limit, spawn))
            });
            bench(&mut group, &rt, TOKIO_SPAWN, limit, TASKS, || {
                timed(tokio_spawn(limit, spawn))
            });
            bench(&mut group, &rt, JOINSET, limit, TASKS, || {
                timed(joinset(limit, spawn))
            });
        }
        group.finish();
    }
}

fn main() {
    common::run(limit);
}
