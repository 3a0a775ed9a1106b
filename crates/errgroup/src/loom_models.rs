//! Model checks of the lock-free core with `loom`: every interleaving of a few threads on
//! [`State`], [`CauseCell`] and [`Workers`]. Compiled only with `--cfg errgroup_loom` (not
//! `--cfg loom`, which would switch tokio to its own loom build):
//!
//! ```text
//! RUSTFLAGS="--cfg errgroup_loom" CARGO_TARGET_DIR=target/loom \
//!     cargo test -p errgroup --lib --release loom
//! ```

use loom::sync::atomic::{AtomicBool, AtomicUsize};
use loom::sync::{Arc, Mutex};
use loom::thread;
use std::sync::atomic::Ordering::SeqCst;

use crate::Cause;
use crate::cause::CauseCell;
use crate::state::State;
use crate::workers::{Admission, Next, Workers};

/// A spawn (through a `GroupHandle`) races the end of `wait`: the group's last task ends and
/// the waiter closes the group once it is idle. The spawn either counts, and then the close
/// waits for it, or is refused; the close never succeeds while a counted task is live.
#[test]
fn loom_state_a_spawn_racing_the_end_of_wait_counts_or_is_refused() {
    loom::model(|| {
        let state = Arc::new(State::default());
        let spawned_live = Arc::new(AtomicBool::new(false));
        assert!(state.enter(), "the group's own task");
        let spawner = {
            let (state, spawned_live) = (Arc::clone(&state), Arc::clone(&spawned_live));
            thread::spawn(move || {
                if !state.enter() {
                    return false;
                }
                spawned_live.store(true, SeqCst);
                spawned_live.store(false, SeqCst);
                state.exit();
                true
            })
        };
        // The waiter: the group's task ends, then `wait` closes the group once it is idle.
        state.exit();
        while !state.close_if_idle() {
            thread::yield_now();
        }
        assert!(
            !spawned_live.load(SeqCst),
            "closed while a counted task was live"
        );
        spawner.join().expect("the spawner does not panic");
        assert_eq!(state.live(), 0);
        assert!(!state.enter(), "no spawn counts once the group is closed");
    });
}

/// Dropping the group closes it whatever runs: a spawn after the close is refused, and the
/// live count still returns to zero as the counted tasks end.
#[test]
fn loom_state_close_refuses_every_later_spawn() {
    loom::model(|| {
        let state = Arc::new(State::default());
        let closed = Arc::new(AtomicBool::new(false));
        let spawner = {
            let (state, closed) = (Arc::clone(&state), Arc::clone(&closed));
            thread::spawn(move || {
                for _ in 0..2 {
                    let closed_before = closed.load(SeqCst);
                    if state.enter() {
                        assert!(!closed_before, "counted after the close");
                        state.exit();
                    }
                }
            })
        };
        state.close();
        closed.store(true, SeqCst);
        spawner.join().expect("the spawner does not panic");
        assert_eq!(state.live(), 0);
        assert!(!state.enter());
        assert!(state.close_if_idle(), "closed and idle");
    });
}

/// Causes set at once from three threads: one wins, everybody sees the same winner, and it
/// never changes.
#[test]
fn loom_cause_concurrent_set_once_agree_on_one_winner() {
    loom::model(|| {
        let cell = Arc::new(CauseCell::default());
        let setters: Vec<_> = [Cause::TaskFailed, Cause::DeadlineExceeded]
            .into_iter()
            .map(|cause| {
                let cell = Arc::clone(&cell);
                thread::spawn(move || {
                    let seen_before = cell.get();
                    let winner = cell.set_once(cause);
                    if let Some(seen) = seen_before {
                        assert_eq!(winner, seen, "the cause changed");
                    }
                    winner
                })
            })
            .collect();
        let mine = cell.set_once(Cause::Dropped);
        let winners: Vec<Cause> = setters
            .into_iter()
            .map(|setter| setter.join().expect("no panic"))
            .collect();
        assert!(
            winners.iter().all(|winner| *winner == mine),
            "{winners:?} vs {mine:?}"
        );
        assert_eq!(cell.get(), Some(mine));
    });
}

/// The jobs of a model of [`Workers`] with `limit` slots: which ran, which are running, in
/// which order they started, and the threads of the workers started along the way.
struct Jobs {
    limit: usize,
    running: AtomicUsize,
    started: Mutex<Vec<usize>>,
    dropped: Mutex<Vec<usize>>,
    workers: Mutex<Vec<thread::JoinHandle<()>>>,
}

impl Jobs {
    /// The jobs of [`Workers`] with `limit` slots.
    fn new(limit: usize) -> (Arc<Self>, Arc<Workers<usize>>) {
        let jobs = Self {
            limit,
            running: AtomicUsize::new(0),
            started: Mutex::default(),
            dropped: Mutex::default(),
            workers: Mutex::default(),
        };
        (Arc::new(jobs), Arc::new(Workers::new(limit)))
    }

    /// Runs `job`, checking that at most `limit` run at once.
    fn run(&self, job: usize) {
        let running = self.running.fetch_add(1, SeqCst) + 1;
        let limit = self.limit;
        assert!(
            running <= limit,
            "{running} jobs ran at once, limit {limit}"
        );
        self.started.lock().unwrap().push(job);
        self.running.fetch_sub(1, SeqCst);
    }

    /// Starts a worker thread that runs `first`, then what [`Workers::next`] gives it, as
    /// `Worker::run` does; or, if `aborted`, retires after `first` as an aborted worker does.
    fn start_worker(this: &Arc<Self>, workers: &Arc<Workers<usize>>, first: usize, aborted: bool) {
        let (jobs, workers) = (Arc::clone(this), Arc::clone(workers));
        let worker = thread::spawn(move || {
            jobs.run(first);
            if aborted {
                jobs.dropped.lock().unwrap().extend(workers.retire(false));
                return;
            }
            let mut lingered = false;
            loop {
                match workers.next(std::mem::take(&mut lingered)) {
                    Next::Run(job, _) => jobs.run(job),
                    Next::Linger => {
                        lingered = true;
                        thread::yield_now();
                    }
                    Next::Retire => break,
                }
            }
        });
        this.workers.lock().unwrap().push(worker);
    }

    /// Spawns `job` as `Shared::spawn` does: queued, or on a new worker.
    fn spawn(this: &Arc<Self>, workers: &Arc<Workers<usize>>, job: usize) {
        if let Some(first) = workers.push(job) {
            Self::start_worker(this, workers, first, false);
        }
    }

    /// Joins every worker, including those started while joining.
    fn join_workers(&self) {
        loop {
            let Some(worker) = self.workers.lock().unwrap().pop() else {
                return;
            };
            worker.join().expect("a worker does not panic");
        }
    }

    fn started(&self) -> Vec<usize> {
        self.started.lock().unwrap().clone()
    }
}

/// Checks that `workers` ended idle: nothing queued, and every one of its `limit` slots free.
fn assert_idle(workers: &Workers<usize>, limit: usize) {
    assert!(
        workers.take_queued().is_empty(),
        "a queued job was left without a worker"
    );
    for _ in 0..limit {
        assert!(
            matches!(workers.try_admit(), Admission::Start),
            "a slot was never freed"
        );
    }
    assert!(matches!(workers.try_admit(), Admission::Full));
}

/// One slot, one producer: jobs start one at a time, in spawn order, while the worker that
/// runs them finishes, lingers or retires, and none is left queued.
#[test]
fn loom_workers_one_slot_runs_jobs_one_at_a_time_in_spawn_order() {
    loom::model(|| {
        let (jobs, workers) = Jobs::new(1);
        for job in 0..3 {
            Jobs::spawn(&jobs, &workers, job);
        }
        jobs.join_workers();
        assert_eq!(jobs.started(), [0, 1, 2]);
        assert_idle(&workers, jobs.limit);
    });
}

/// Two slots, two producers: never more than two jobs at once, every job runs once, and
/// none is left queued.
#[test]
fn loom_workers_two_producers_never_exceed_the_limit_nor_lose_a_job() {
    // Unbounded, the five threads take minutes; two preemptions finish in about a second.
    let mut model = loom::model::Builder::new();
    model.preemption_bound = Some(2);
    model.check(|| {
        let (jobs, workers) = Jobs::new(2);
        let producer = {
            let (jobs, workers) = (Arc::clone(&jobs), Arc::clone(&workers));
            thread::spawn(move || Jobs::spawn(&jobs, &workers, 0))
        };
        Jobs::spawn(&jobs, &workers, 1);
        Jobs::spawn(&jobs, &workers, 2);
        producer.join().expect("the producer does not panic");
        jobs.join_workers();
        let mut started = jobs.started();
        started.sort_unstable();
        assert_eq!(started, [0, 1, 2]);
        assert_idle(&workers, jobs.limit);
    });
}

/// `try_spawn` races a worker that finishes, lingers and retires: the job starts on a new
/// worker, is promised to the lingering one, or is refused as full; it is never lost.
#[test]
fn loom_workers_try_admit_racing_a_lingering_worker_never_loses_the_job() {
    loom::model(|| {
        let (jobs, workers) = Jobs::new(1);
        Jobs::spawn(&jobs, &workers, 0);
        let refused = match workers.try_admit() {
            Admission::Start => {
                Jobs::start_worker(&jobs, &workers, 1, false);
                false
            }
            Admission::Promised => {
                workers.push_promised(1);
                false
            }
            Admission::Full => true,
        };
        jobs.join_workers();
        let expected: &[usize] = if refused { &[0] } else { &[0, 1] };
        assert_eq!(jobs.started(), expected);
        assert_idle(&workers, jobs.limit);
    });
}

/// The only worker is aborted while jobs are spawned: each job runs on a worker started
/// later, or is handed back by the aborted worker to be dropped; none stays queued.
#[test]
fn loom_workers_the_last_aborted_worker_takes_the_queue_out() {
    loom::model(|| {
        let (jobs, workers) = Jobs::new(1);
        let first = workers.push(0).expect("the first job starts a worker");
        Jobs::start_worker(&jobs, &workers, first, true);
        Jobs::spawn(&jobs, &workers, 1);
        Jobs::spawn(&jobs, &workers, 2);
        jobs.join_workers();
        let mut accounted = jobs.started();
        accounted.extend(jobs.dropped.lock().unwrap().iter());
        accounted.sort_unstable();
        assert_eq!(accounted, [0, 1, 2], "a job was lost or ran twice");
        assert_idle(&workers, jobs.limit);
    });
}
