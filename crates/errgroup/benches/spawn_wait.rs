//! Workload 1, spawn + wait: N trivial tasks that return `Ok`, then wait for all of them.
//!
//! Compares `errgroup::Group` with raw `tokio::spawn` (awaiting every `JoinHandle`) and with
//! `tokio::task::JoinSet`; criterion's throughput gives the time per task.

mod common;

use common::{ERRGROUP, Failed, JOINSET, TOKIO_SPAWN, bench, joined, timed};
use criterion::Criterion;
use errgroup::Group;
use tokio::task::JoinSet;

async fn errgroup(tasks: u64) {
    let group = Group::<Failed>::new();
    for _ in 0..tasks {
        group.spawn(async { Ok(()) });
    }
    group.wait().await.expect("every task succeeds");
}

async fn tokio_spawn(tasks: u64) {
    let handles: Vec<_> = (0..tasks)
        .map(|_| tokio::spawn(async { Ok::<(), Failed>(()) }))
        .collect();
    for handle in handles {
        joined(handle.await).expect("every task succeeds");
    }
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

fn spawn_wait(c: &mut Criterion) {
    let rt = common::runtime();
    let mut group = common::group(c, "spawn_wait");
    for tasks in [1_000, 10_000, 100_000] {
        bench(&mut group, &rt, ERRGROUP, tasks, tasks, || {
            timed(errgroup(tasks))
        });
        bench(&mut group, &rt, TOKIO_SPAWN, tasks, tasks, || {
            timed(tokio_spawn(tasks))
        });
        bench(&mut group, &rt, JOINSET, tasks, tasks, || {
            timed(joinset(tasks))
        });
    }
    group.finish();
}

fn main() {
    common::run(spawn_wait);
}
