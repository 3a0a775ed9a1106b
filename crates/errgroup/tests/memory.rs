//! Memory of a group is O(live tasks): a long-lived group keeps nothing of the tasks that
//! ended (measured with a counting global allocator), and a group that keeps all errors does
//! not keep the errors its tasks return after it was cancelled (each holds a counted value).

mod common;

use std::alloc::System;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use common::hang_guard;
use errgroup::{Builder, Cause, Error, Group};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The allocator counts for the whole process: the tests of this file take turns.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// How many tasks a burst runs.
const BURST: usize = 10_000;

/// How many bytes a measurement may move by without any task being kept: the runtime's and
/// the test harness's own bookkeeping. A kept task costs a hundred bytes or more, so a burst
/// that leaves anything behind shows as a megabyte.
const SLACK: isize = 64 * 1024;

/// The bytes allocated and not yet freed (`stats_alloc` counts a reallocation's growth as
/// allocated and its shrinking as freed).
fn live_bytes() -> isize {
    let stats = ALLOCATOR.stats();
    let allocated = isize::try_from(stats.bytes_allocated).expect("fits");
    allocated - isize::try_from(stats.bytes_deallocated).expect("fits")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime")
}

/// Runs a burst of quick tasks, each holding a clone of `marker`, and waits until every one
/// has ended and dropped its clone; the group stays open.
async fn burst(group: &Group<()>, marker: &Arc<()>) {
    for _ in 0..BURST {
        let held = Arc::clone(marker);
        group.spawn(async move {
            drop(held);
            Ok(())
        });
    }
    hang_guard("the burst", async {
        while Arc::strong_count(marker) > 1 {
            tokio::task::yield_now().await;
        }
        // Let the runtime finish with the tasks whose bodies just ended.
        tokio::task::yield_now().await;
    })
    .await;
}

/// Runs bursts of tasks through one long-lived group built by `builder`, and checks that
/// after the first one (which grows the runtime's and the group's buffers to their size) the
/// group's memory does not grow.
fn check_bursts(builder: Builder) {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let runtime = runtime();
    let marker = Arc::new(());
    let (before, after) = runtime.block_on(async {
        let group = builder.build::<()>();
        burst(&group, &marker).await;
        let before = live_bytes();
        for _ in 0..4 {
            burst(&group, &marker).await;
        }
        let after = live_bytes();
        group.wait().await.expect("every task succeeded");
        (before, after)
    });
    assert_eq!(Arc::strong_count(&marker), 1);
    assert!(
        after - before < SLACK,
        "{} bytes more after {} more tasks ended",
        after - before,
        4 * BURST
    );
}

#[test]
#[cfg_attr(miri, ignore = "too slow: bursts of 10,000 tasks")]
fn a_long_lived_group_keeps_nothing_of_the_tasks_that_ended() {
    check_bursts(Builder::new());
}

#[test]
#[cfg_attr(miri, ignore = "too slow: bursts of 10,000 tasks")]
fn a_long_lived_limited_group_keeps_nothing_of_the_tasks_that_ended() {
    check_bursts(Builder::new().limit(4));
}

/// Yields to the runtime until `count` reaches `target`.
async fn until(count: &AtomicUsize, target: usize) {
    while count.load(Ordering::SeqCst) < target {
        tokio::task::yield_now().await;
    }
}

#[test]
#[cfg_attr(miri, ignore = "too slow: bursts of 10,000 tasks")]
fn a_group_that_keeps_all_errors_drops_the_errors_returned_after_an_outside_cancellation() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let runtime = runtime();
    let marker = Arc::new(());
    let (started, ended) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (kept, errors) = runtime.block_on(async {
        let group = Builder::new().keep_all_errors().build::<Arc<()>>();
        for _ in 0..BURST {
            let token = group.token().clone();
            let held = Arc::clone(&marker);
            let (started, ended) = (Arc::clone(&started), Arc::clone(&ended));
            group.spawn(async move {
                started.fetch_add(1, Ordering::SeqCst);
                token.cancelled().await;
                ended.fetch_add(1, Ordering::SeqCst);
                Err::<(), _>(held) // "cancelled", carrying a clone
            });
        }
        hang_guard("the tasks to start", until(&started, BURST)).await;
        group.token().cancel();
        hang_guard("the cancelled tasks", until(&ended, BURST)).await;
        // Every task has ended and the group still runs: each error the group kept for
        // `wait_all` would still hold its clone.
        let kept = Arc::strong_count(&marker) - 1;
        (kept, group.wait_all().await.unwrap_err())
    });
    assert_eq!(kept, 0, "errors kept after the cancellation");
    assert_eq!(
        errors,
        [Error::Cancelled {
            cause: Cause::TokenCancelled
        }]
    );
}
