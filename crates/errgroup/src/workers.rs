//! [`Workers`]: how a limited group runs at most `limit` tasks at once on at most `limit`
//! reusable runtime tasks, in spawn order.
//!
//! A spawn starts a worker while fewer than `limit` run, and queues the task otherwise. A
//! worker runs its task to the end, then takes the next queued one. When it finds the queue
//! empty it *lingers*: it yields to the runtime once and looks again before it retires, and a
//! spawn meanwhile queues the task for it instead of starting another worker. So a stream of
//! short tasks costs a queue push and pop each rather than a runtime task each, and queued
//! tasks start first in, first out.
//!
//! # Invariants
//!
//! - `running <= limit`: at most `limit` workers, each running one task at a time.
//! - No queued task is left without a worker: a spawn queues only while `limit` workers run, or
//!   while fewer tasks are queued (or promised to the queue by `try_spawn`) than workers linger,
//!   each lingering worker taking one when it looks again; a worker retires only when it finds
//!   the queue empty and nothing promised, under the same lock, or, aborted, empties the queue
//!   if it was the last.

use std::collections::VecDeque;

use crate::sync::{Mutex, lock};

/// The smallest queue a producer that waits for room lets build up, so that it is woken once
/// per half a queue rather than once per task.
const MIN_QUEUE_ROOM: usize = 32;

struct Queue<J> {
    jobs: VecDeque<J>,
    running: usize,
    lingering: usize,
    /// Tasks [`Workers::try_admit`] promised to a lingering worker and not yet queued.
    promised: usize,
}

/// Whether a task that must start now can.
pub(crate) enum Admission {
    /// On a new worker.
    Start,
    /// On a lingering worker: queue it with [`Workers::push_promised`].
    Promised,
    /// Every slot is taken.
    Full,
}

/// What a worker that finished a task does next.
pub(crate) enum Next<J> {
    /// Runs this task; `true` if the queue just fell to half its room, so that waiting
    /// producers are woken.
    Run(J, bool),
    /// Yields once and asks again.
    Linger,
    /// Ends.
    Retire,
}

pub(crate) struct Workers<J> {
    limit: usize,
    /// How many queued tasks make a producer that waits for room wait.
    room: usize,
    queue: Mutex<Queue<J>>,
}

impl<J> Queue<J> {
    /// The tasks queued or promised to the queue.
    fn waiting(&self) -> usize {
        self.jobs.len() + self.promised
    }
}

impl<J> Workers<J> {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            limit,
            room: limit.max(MIN_QUEUE_ROOM),
            queue: Mutex::new(Queue {
                jobs: VecDeque::new(),
                running: 0,
                lingering: 0,
                promised: 0,
            }),
        }
    }

    /// Queues `job`, or returns it if a new worker must start with it.
    pub(crate) fn push(&self, job: J) -> Option<J> {
        let mut queue = lock(&self.queue);
        if queue.running < self.limit && queue.waiting() >= queue.lingering {
            queue.running += 1;
            return Some(job);
        }
        queue.jobs.push_back(job);
        None
    }

    /// Decides whether a task can start now, and reserves its place if so.
    pub(crate) fn try_admit(&self) -> Admission {
        let mut queue = lock(&self.queue);
        if queue.running < self.limit {
            queue.running += 1;
            Admission::Start
        } else if queue.waiting() < queue.lingering {
            queue.promised += 1;
            Admission::Promised
        } else {
            Admission::Full
        }
    }

    /// Queues a task [`try_admit`](Workers::try_admit) promised to a lingering worker.
    pub(crate) fn push_promised(&self, job: J) {
        let mut queue = lock(&self.queue);
        queue.promised -= 1;
        queue.jobs.push_back(job);
    }

    /// What a worker does after a task, or after it `lingered`.
    pub(crate) fn next(&self, lingered: bool) -> Next<J> {
        let mut queue = lock(&self.queue);
        queue.lingering -= usize::from(lingered);
        if let Some(job) = queue.jobs.pop_front() {
            return Next::Run(job, queue.jobs.len() == self.room / 2);
        }
        if lingered && queue.promised == 0 {
            queue.running -= 1;
            return Next::Retire;
        }
        queue.lingering += 1;
        Next::Linger
    }

    /// A worker that could not be started, or was aborted (while it `lingered` or not),
    /// retires without taking the next task. If it was the last, it takes the queued tasks out
    /// for the caller to drop: nothing would run them, and only a cancelled group aborts its
    /// workers.
    pub(crate) fn retire(&self, lingered: bool) -> VecDeque<J> {
        let mut queue = lock(&self.queue);
        queue.lingering -= usize::from(lingered);
        queue.running -= 1;
        match queue.running {
            0 => std::mem::take(&mut queue.jobs),
            _ => VecDeque::new(),
        }
    }

    /// Whether a producer that waits for room may queue one more task.
    ///
    /// Promised tasks count as queued.
    pub(crate) fn has_room(&self) -> bool {
        lock(&self.queue).waiting() < self.room
    }

    /// Takes every queued task out, for the caller to drop outside the lock.
    pub(crate) fn take_queued(&self) -> VecDeque<J> {
        std::mem::take(&mut lock(&self.queue).jobs)
    }
}
