//! Workload 6, tree fan-out: a 4-ary tree of 100,000 tasks, where every task spawns its
//! children into the same group before it returns, and the caller waits for the whole tree.
//!
//! `Group` spawns through cloned `GroupHandle`s; `tokio_util::task::TaskTracker` through
//! cloned trackers (closed once the root is spawned: a tracker waits until it is closed and
//! empty, and a parent is still running while it spawns its children); Go's goroutines call
//! `g.Go` (bench/go).

#![expect(
    clippy::manual_async_fn,
    reason = "an `async fn` that spawns itself cannot prove its own future `Send`: the nodes' \
              signatures state it"
)]

mod common;

use std::future::Future;

use common::{ERRGROUP, Failed, TASK_TRACKER, bench, timed};
use criterion::Criterion;
use errgroup::{Group, GroupHandle};
use tokio_util::task::TaskTracker;

const TASKS: u64 = 100_000;

/// The children of `node` when the tree's nodes are numbered breadth first from the root, 0.
fn children(node: u64) -> impl Iterator<Item = u64> {
    (4 * node + 1..=4 * node + 4).take_while(|&child| child < TASKS)
}

fn errgroup_node(
    handle: GroupHandle<Failed>,
    node: u64,
) -> impl Future<Output = Result<(), Failed>> + Send + 'static {
    async move {
        for child in children(node) {
            handle.spawn(errgroup_node(handle.clone(), child)).unwrap();
        }
        Ok(())
    }
}

async fn errgroup() {
    let group = Group::new();
    group.spawn(errgroup_node(group.handle(), 0));
    group.wait().await.expect("every task succeeds");
}

fn task_tracker_node(
    tracker: TaskTracker,
    node: u64,
) -> impl Future<Output = Result<(), Failed>> + Send + 'static {
    async move {
        for child in children(node) {
            tracker.spawn(task_tracker_node(tracker.clone(), child));
        }
        Ok(())
    }
}

async fn task_tracker() {
    let tracker = TaskTracker::new();
    tracker.spawn(task_tracker_node(tracker.clone(), 0));
    tracker.close();
    tracker.wait().await;
}

fn tree(c: &mut Criterion) {
    let rt = common::runtime();
    let mut group = common::group(c, "tree");
    bench(
        &mut group,
        &rt,
        ERRGROUP,
        TASKS,
        TASKS,
        || timed(errgroup()),
    );
    bench(&mut group, &rt, TASK_TRACKER, TASKS, TASKS, || {
        timed(task_tracker())
    });
    group.finish();
}

fn main() {
    common::run(tree);
}
