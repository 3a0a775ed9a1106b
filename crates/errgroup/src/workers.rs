//! [`Workers`]: how a limited group runs at most `limit` tasks at once on at most `limit`
//! reusable runtime tasks, in spawn order.
//!
//! A spawn starts a worker while fewer than `limit` run, and queues the task otherwise. A
//! worker runs its task to the end, then takes the next queued one, and ends when the queue is
//! empty. So a task costs a queue push and pop rather than a runtime task of its own, and
//! queued tasks start first in, first out.
//!
//! # Invariants
//!
//! - `running <= limit`: at most `limit` workers, each running one task at a time.
//! - The queue is empty whenever `running` is zero: a worker retires only when it finds the
//!   queue empty, under the same lock that a spawn queues under, or, aborted, empties the
//!   queue if it was the last.

use std::collections::VecDeque;

use crate::sync::{Mutex, lock};

/// The smallest queue a producer that waits for room lets build up, so that it is woken once
/// per half a queue rather than once per task.
const MIN_QUEUE_ROOM: usize = 32;

struct Queue<J> {
    jobs: VecDeque<J>,
    running: usize,
}

pub(crate) struct Workers<J> {
    limit: usize,
    /// How many queued tasks make a producer that waits for room wait.
    room: usize,
    queue: Mutex<Queue<J>>,
}

impl<J> Workers<J> {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            limit,
            room: limit.max(MIN_QUEUE_ROOM),
            queue: Mutex::new(Queue {
                jobs: VecDeque::new(),
                running: 0,
            }),
        }
    }

    /// Queues `job`, or returns it if a new worker must start with it.
    pub(crate) fn push(&self, job: J) -> Option<J> {
        let mut queue = lock(&self.queue);
        if queue.running < self.limit {
            queue.running += 1;
            return Some(job);
        }
        queue.jobs.push_back(job);
        None
    }

    /// Counts a new worker if fewer than `limit` run; `false` if the group is full.
    pub(crate) fn try_start(&self) -> bool {
        let mut queue = lock(&self.queue);
        let free = queue.running < self.limit;
        queue.running += usize::from(free);
        free
    }

    /// A worker that could not be started, or was aborted, retires without taking the next
    /// task. If it was the last, it takes the queued tasks out for the caller to drop: nothing
    /// would run them, and only a cancelled group aborts its workers.
    pub(crate) fn retire(&self) -> VecDeque<J> {
        let mut queue = lock(&self.queue);
        queue.running -= 1;
        match queue.running {
            0 => std::mem::take(&mut queue.jobs),
            _ => VecDeque::new(),
        }
    }

    /// The next task for a worker that finished one, or `None`: the worker retires. The flag
    /// says whether the queue just fell to half its room, so that waiting producers are woken.
    pub(crate) fn next(&self) -> (Option<J>, bool) {
        let mut queue = lock(&self.queue);
        let Some(job) = queue.jobs.pop_front() else {
            queue.running -= 1;
            return (None, false);
        };
        (Some(job), queue.jobs.len() == self.room / 2)
    }

    /// Whether a producer that waits for room may queue one more task.
    pub(crate) fn has_room(&self) -> bool {
        lock(&self.queue).jobs.len() < self.room
    }

    /// Takes every queued task out, for the caller to drop outside the lock.
    pub(crate) fn take_queued(&self) -> VecDeque<J> {
        std::mem::take(&mut lock(&self.queue).jobs)
    }
}
