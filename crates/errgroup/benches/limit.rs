//! Workload 3, limit: 100,000 trivial tasks through a limit of 2 and of 64, spawned by a
//! producer that is itself a runtime task (as in a server, rather than on the `block_on`
//! thread), in two ways:
//!
//! - `limit_backpressure`: the producer waits while the limit is reached.
//!   `Group::spawn_with_backpressure`; a `Semaphore` permit acquired before spawning and moved
//!   into the task; `buffer_unordered`, which holds at most `limit` futures in its
//!   `FuturesUnordered`; Go's `g.Go` after `SetLimit` (bench/go).
//! - `limit_spawn`: the producer never waits, every task is accepted at once and starts when a
//!   slot frees. `Group::spawn`, which queues the task for the group's reusable workers;
//!   `Scope::spawn` on a scope with a limit, which polls at most `limit` tasks at once inside
//!   `wait`; a runtime task per task that acquires the `Semaphore` permit first thing.
//!
//! And `limit_sleep`: 10,000 tasks that each sleep 1 ms through a limit of 64, with backpressure,
//! against a `JoinSet` and a `Semaphore`: the wall time shows whether 64 tasks really wait at
//! once.
//!
//! Compare with `spawn_wait/*/100000` for the cost of the limit itself.

mod common;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use common::{
    ERRGROUP, FUTURES_UNORDERED, Failed, JOINSET, SCOPE, TOKIO_SPAWN, bench, joined, on_worker,
    timed,
};
use criterion::Criterion;
use errgroup::{Builder, Scope};
use futures_util::{StreamExt, TryStreamExt, stream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

const TASKS: u64 = 100_000;
/// The tasks of `limit_sleep`, and how long each sleeps.
const SLEEPING_TASKS: u64 = 10_000;
const SLEEP: Duration = Duration::from_millis(1);

/// How the producer hands its tasks over.
#[derive(Clone, Copy)]
enum Spawn {
    /// Wait while the limit is reached.
    Backpressure,
    /// Hand every task over at once; each waits for a slot.
    Queue,
}

impl Spawn {
    fn group(self) -> &'static str {
        match self {
            Self::Backpressure => "limit_backpressure",
            Self::Queue => "limit_spawn",
        }
    }
}

/// The task every implementation runs: nothing, or a 1 ms sleep.
async fn work(sleep: bool) -> Result<(), Failed> {
    if sleep {
        tokio::time::sleep(SLEEP).await;
    }
    Ok(())
}

async fn errgroup(tasks: u64, limit: usize, spawn: Spawn, sleep: bool) {
    let group = Builder::new().limit(limit).build::<Failed>();
    for _ in 0..tasks {
        match spawn {
            Spawn::Backpressure => {
                group.spawn_with_backpressure(work(sleep)).await;
            }
            Spawn::Queue => {
                group.spawn(work(sleep));
            }
        }
    }
    group.wait().await.expect("every task succeeds");
}

async fn scope(limit: usize) {
    let mut scope = Scope::new().limit(limit);
    for _ in 0..TASKS {
        scope.spawn(work(false));
    }
    scope.wait().await.expect("every task succeeds");
}

async fn permit(slots: &Arc<Semaphore>) -> OwnedSemaphorePermit {
    Arc::clone(slots)
        .acquire_owned()
        .await
        .expect("the semaphore stays open")
}

/// A runtime task that runs `work` holding a permit: the one it was given, or one it acquires.
async fn limited(
    slots: Arc<Semaphore>,
    given: Option<OwnedSemaphorePermit>,
    work: impl Future<Output = Result<(), Failed>>,
) -> Result<(), Failed> {
    let _permit = match given {
        Some(permit) => permit,
        None => permit(&slots).await,
    };
    work.await
}

/// The permit a producer that waits for a slot acquires before it spawns.
async fn permit_for(slots: &Arc<Semaphore>, spawn: Spawn) -> Option<OwnedSemaphorePermit> {
    match spawn {
        Spawn::Backpressure => Some(permit(slots).await),
        Spawn::Queue => None,
    }
}

async fn tokio_spawn(limit: usize, spawn: Spawn) {
    let slots = Arc::new(Semaphore::new(limit));
    let mut handles = Vec::new();
    for _ in 0..TASKS {
        let given = permit_for(&slots, spawn).await;
        handles.push(tokio::spawn(limited(
            Arc::clone(&slots),
            given,
            work(false),
        )));
    }
    for handle in handles {
        joined(handle.await).expect("every task succeeds");
    }
}

/// `JoinSet` + `Semaphore`, reaping finished tasks while spawning so the set stays small.
async fn joinset(tasks: u64, limit: usize, spawn: Spawn, sleep: bool) {
    let slots = Arc::new(Semaphore::new(limit));
    let mut set = JoinSet::new();
    for _ in 0..tasks {
        let given = permit_for(&slots, spawn).await;
        set.spawn(limited(Arc::clone(&slots), given, work(sleep)));
        while let Some(result) = set.try_join_next() {
            joined(result).expect("every task succeeds");
        }
    }
    while let Some(result) = set.join_next().await {
        joined(result).expect("every task succeeds");
    }
}

/// `buffer_unordered`: at most `limit` futures in a `FuturesUnordered`, polled inline by the
/// producer's task.
async fn futures_unordered(limit: usize) {
    stream::iter(0..TASKS)
        .map(|_| work(false))
        .buffer_unordered(limit)
        .try_for_each(|()| async { Ok(()) })
        .await
        .expect("every task succeeds");
}

fn limit(c: &mut Criterion) {
    let rt = common::runtime();
    for spawn in [Spawn::Backpressure, Spawn::Queue] {
        let mut group = common::group(c, spawn.group());
        for limit in [2, 64] {
            bench(&mut group, &rt, ERRGROUP, limit, TASKS, || {
                timed(on_worker(errgroup(TASKS, limit, spawn, false)))
            });
            bench(&mut group, &rt, TOKIO_SPAWN, limit, TASKS, || {
                timed(on_worker(tokio_spawn(limit, spawn)))
            });
            bench(&mut group, &rt, JOINSET, limit, TASKS, || {
                timed(on_worker(joinset(TASKS, limit, spawn, false)))
            });
            match spawn {
                Spawn::Backpressure => {
                    bench(&mut group, &rt, FUTURES_UNORDERED, limit, TASKS, || {
                        timed(on_worker(futures_unordered(limit)))
                    });
                }
                Spawn::Queue => bench(&mut group, &rt, SCOPE, limit, TASKS, || {
                    timed(on_worker(scope(limit)))
                }),
            }
        }
        group.finish();
    }

    let mut group = common::group(c, "limit_sleep");
    let (limit, spawn) = (64, Spawn::Backpressure);
    bench(&mut group, &rt, ERRGROUP, limit, SLEEPING_TASKS, || {
        timed(on_worker(errgroup(SLEEPING_TASKS, limit, spawn, true)))
    });
    bench(&mut group, &rt, JOINSET, limit, SLEEPING_TASKS, || {
        timed(on_worker(joinset(SLEEPING_TASKS, limit, spawn, true)))
    });
    group.finish();
}

fn main() {
    common::run(limit);
}
