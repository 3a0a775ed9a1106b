//! Soak test: a million tasks through groups with and without a limit, with failures, outside
//! cancellations, drops and shutdowns at pseudo-random points, on the multi-thread runtime. No
//! task outlives its group, `wait` never hangs, and memory after the run is within 10 % of
//! memory before it.
//!
//! CI runs it in release: `cargo test -p errgroup --release --test soak`.

mod common;

use std::alloc::System;
use std::future::pending;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{LiveCounter, hang_guard, ms};
use errgroup::{Builder, CancellationToken, Cause, Error, Group, GroupHandle};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// How many tasks the soak runs (a few seconds in a debug build).
const TASKS: usize = 1_000_000;

/// The most tasks one group runs.
const MOST_PER_GROUP: u64 = 2_000;

/// The bytes allocated and not yet freed (`stats_alloc` counts a reallocation's growth as
/// allocated and its shrinking as freed).
fn live_bytes() -> usize {
    let stats = ALLOCATOR.stats();
    stats.bytes_allocated - stats.bytes_deallocated
}

/// A fixed-seed xorshift64* generator: the same run every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A number in `0..n`, as an index.
    fn index(&mut self, n: usize) -> usize {
        usize::try_from(self.below(n as u64)).expect("an index")
    }
}

#[derive(Debug, PartialEq)]
enum Failure {
    /// The planned failure of the task with this index.
    Failed(usize),
    /// A task that saw the token and stopped.
    Cancelled,
}

/// What a task does.
#[derive(Clone, Copy)]
enum Body {
    /// Succeeds at once.
    Quick,
    /// Yields to the runtime a few times, then succeeds.
    Yields(u8),
    /// Yields a few times and succeeds, unless the token is cancelled first.
    Cooperative(u8),
    /// Spawns a quick task into its own group, then succeeds.
    SpawnsAnother,
    /// Fails with its index.
    Fails,
    /// Never ends, ignoring the token (only in groups that are dropped or shut down).
    Stubborn,
}

/// What happens to a group after its first `at` tasks are spawned.
#[derive(Clone, Copy, Debug)]
enum Fate {
    /// Nothing: every task succeeds.
    Succeeds,
    /// Task `at` fails.
    Fails,
    /// Its token is cancelled from outside.
    Cancelled,
    /// It is dropped.
    Dropped,
    /// It is shut down.
    ShutDown,
}

/// Counts the tasks of a round: every task (including the ones tasks spawn) while it runs,
/// the tasks the round itself spawned once they start, and those of them that start though
/// they were spawned after an outside cancellation.
#[derive(Clone, Default)]
struct Counters {
    live: LiveCounter,
    started: Arc<AtomicUsize>,
    started_after_cancel: Arc<AtomicUsize>,
}

async fn yields(times: u8) {
    for _ in 0..times {
        tokio::task::yield_now().await;
    }
}

/// Where a task was spawned: its index, and whether the group had been cancelled from outside.
#[derive(Clone, Copy)]
struct Spawned {
    index: usize,
    after_cancel: bool,
}

async fn task(
    spawned: Spawned,
    body: Body,
    counters: Counters,
    token: CancellationToken,
    handle: GroupHandle<Failure>,
) -> Result<(), Failure> {
    counters.started.fetch_add(1, Ordering::SeqCst);
    if spawned.after_cancel {
        counters.started_after_cancel.fetch_add(1, Ordering::SeqCst);
    }
    let _alive = counters.live.enter();
    match body {
        Body::Quick => Ok(()),
        Body::Yields(times) => {
            yields(times).await;
            Ok(())
        }
        Body::Cooperative(times) => tokio::select! {
            () = token.cancelled() => Err(Failure::Cancelled),
            () = yields(times) => Ok(()),
        },
        Body::SpawnsAnother => {
            let alive = counters.live.enter();
            // Refused only once the group has ended, which it cannot while this task runs,
            // unless it was dropped.
            let _spawned = handle.spawn(async move {
                let _alive = alive;
                Ok(())
            });
            Ok(())
        }
        Body::Fails => Err(Failure::Failed(spawned.index)),
        Body::Stubborn => pending().await,
    }
}

/// Runs one group of up to [`MOST_PER_GROUP`] tasks with a random fate; returns how many
/// tasks it spawned.
async fn round(rng: &mut Rng) -> usize {
    let tasks = 1 + rng.index(MOST_PER_GROUP as usize);
    let mut builder = Builder::new();
    if rng.below(2) == 0 {
        builder = builder.limit(1 + rng.index(8));
    }
    if rng.below(4) == 0 {
        builder = builder.keep_all_errors();
    }
    let group: Group<Failure> = builder.build();
    let fate = match rng.below(5) {
        0 => Fate::Succeeds,
        1 => Fate::Fails,
        2 => Fate::Cancelled,
        3 => Fate::Dropped,
        _ => Fate::ShutDown,
    };
    let at = rng.index(tasks);
    let counters = Counters::default();
    let handle = group.handle();
    let body = |rng: &mut Rng, index: usize| match rng.below(8) {
        _ if index == at && matches!(fate, Fate::Fails) => Body::Fails,
        0 | 1 => Body::Quick,
        2 | 3 => Body::Yields(1 + rng.below(3) as u8),
        4 | 5 => Body::Cooperative(1 + rng.below(3) as u8),
        6 => Body::SpawnsAnother,
        _ if matches!(fate, Fate::Dropped | Fate::ShutDown) => Body::Stubborn,
        _ => Body::Quick,
    };
    let spawn = |rng: &mut Rng, index: usize| {
        let body = body(rng, index);
        let token = group.token().clone();
        let spawned = Spawned {
            index,
            after_cancel: index > at && matches!(fate, Fate::Cancelled),
        };
        group.spawn(task(spawned, body, counters.clone(), token, handle.clone()));
        if rng.below(64) == 0 {
            return true; // let the runtime run what was spawned
        }
        false
    };
    for index in 0..=at {
        if spawn(rng, index) {
            tokio::task::yield_now().await;
        }
    }
    match fate {
        Fate::Dropped => {
            drop(group);
            hang_guard("dropping the group's tasks", counters.live.none_live()).await;
            return at + 1;
        }
        Fate::Cancelled => group.token().cancel(),
        _ => {}
    }
    for index in at + 1..tasks {
        if spawn(rng, index) {
            tokio::task::yield_now().await;
        }
    }
    let result = match fate {
        Fate::ShutDown => hang_guard("shutdown", group.shutdown(ms(1))).await.result,
        _ => hang_guard("wait", group.wait()).await,
    };
    assert_eq!(counters.live.live(), 0, "a task outlived its group");
    let started = counters.started.load(Ordering::SeqCst);
    match (fate, result) {
        (Fate::Succeeds, Ok(_)) => assert_eq!(started, tasks),
        (Fate::Fails, Err(Error::Task { error, .. })) => assert_eq!(error, Failure::Failed(at)),
        (Fate::Cancelled, outcome) => {
            let late = counters.started_after_cancel.load(Ordering::SeqCst);
            assert_eq!(late, 0, "a task spawned after the cancel started");
            let cancelled = Error::Cancelled {
                cause: Cause::TokenCancelled,
            };
            assert!(
                matches!(&outcome, Err(error) if *error == cancelled)
                    || (outcome.is_ok() && at + 1 == tasks),
                "{outcome:?}"
            );
        }
        (Fate::ShutDown, _) => {}
        (fate, outcome) => panic!("{fate:?} ended with {outcome:?}"),
    }
    tasks
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "too slow: a million tasks (CI runs it in release)")]
async fn a_million_tasks_through_groups_leave_no_task_and_no_memory_behind() {
    let mut rng = Rng(0x5EED_0FE7_7640_9A1D);
    // A few rounds first, so that the runtime's buffers have their size before measuring.
    let mut ran = 0;
    while ran < TASKS / 20 {
        ran += round(&mut rng).await;
    }
    let before = live_bytes();
    while ran < TASKS {
        ran += round(&mut rng).await;
    }
    let after = live_bytes();
    // Within 10 % of before, or 64 KiB, whichever is more: under load the runtime's own queues
    // grow by a few kilobytes and keep their size, while a leak of one byte per task would show
    // as a megabyte.
    let slack = (before / 10).max(64 * 1024);
    assert!(
        after <= before + slack,
        "memory grew from {before} to {after} bytes over {ran} tasks"
    );
}
