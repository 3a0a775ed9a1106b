//! [`Registry`]: the runtime tasks a group runs on (one per task, or its workers), so that
//! dropping or shutting down the group can abort them.
//!
//! The registry is split into shards, each behind its own lock, chosen by task id: the thread
//! that spawns and the threads that finish tasks then rarely wait for the same lock.
//!
//! # Invariants
//!
//! - An entry is `Spawning` from before `tokio::spawn` until the spawner records the task's
//!   handle; the task may end before that, and then marks the entry `Ended`, so whichever of
//!   the two comes second removes it. Memory is O(live tasks).
//! - Once `closed`, every handle recorded was handed out to be aborted, and so is every handle
//!   recorded after. Handles are aborted outside the lock: tokio does not promise that an abort
//!   never drops the task's future on the spot, and dropping it takes this lock.

use std::mem;

use slab::Slab;
use tokio::task::JoinHandle;

use crate::sync::{Mutex, lock};

/// How many shards: enough that two threads rarely meet, few enough to sweep on a drop.
const SHARDS: usize = 16;

enum Entry {
    Spawning,
    Running(JoinHandle<()>),
    Ended,
}

pub(crate) struct Registry {
    shards: [Mutex<Shard>; SHARDS],
}

#[derive(Default)]
struct Shard {
    tasks: Slab<Entry>,
    closed: bool,
}

impl Default for Registry {
    fn default() -> Self {
        Self {
            shards: std::array::from_fn(|_| Mutex::default()),
        }
    }
}

impl Registry {
    /// Reserves an entry for a task about to be spawned, in the shard `hint` picks; returns
    /// its key.
    pub(crate) fn reserve(&self, hint: u64) -> usize {
        let shard = usize::try_from(hint % SHARDS as u64).expect("a shard index fits");
        lock(&self.shards[shard]).reserve() * SHARDS + shard
    }

    /// Records the handle of the task spawned for `key`, or aborts it if the registry is
    /// closed.
    pub(crate) fn spawned(&self, key: usize, task: JoinHandle<()>) {
        let closed = lock(&self.shards[key % SHARDS]).spawned(key / SHARDS, task);
        if let Some(task) = closed {
            task.abort();
        }
    }

    /// The task for `key` ended, or was never spawned.
    pub(crate) fn ended(&self, key: usize) {
        lock(&self.shards[key % SHARDS]).ended(key / SHARDS);
    }

    /// Aborts every task running; with `close`, also every task recorded from now on.
    pub(crate) fn abort_running(&self, close: bool) {
        let running: Vec<_> = (self.shards.iter())
            .flat_map(|shard| lock(shard).take_running(close))
            .collect();
        running.iter().for_each(JoinHandle::abort);
    }
}

impl Shard {
    fn reserve(&mut self) -> usize {
        self.tasks.insert(Entry::Spawning)
    }

    #[must_use = "a handle returned must be aborted"]
    fn spawned(&mut self, key: usize, task: JoinHandle<()>) -> Option<JoinHandle<()>> {
        match self.tasks[key] {
            Entry::Ended => drop(self.tasks.remove(key)),
            _ if self.closed => {
                self.tasks[key] = Entry::Ended;
                return Some(task);
            }
            _ => self.tasks[key] = Entry::Running(task),
        }
        None
    }

    fn ended(&mut self, key: usize) {
        match self.tasks[key] {
            Entry::Spawning => self.tasks[key] = Entry::Ended,
            _ => drop(self.tasks.remove(key)),
        }
    }

    #[must_use = "the handles returned must be aborted"]
    fn take_running(&mut self, close: bool) -> Vec<JoinHandle<()>> {
        self.closed |= close;
        let mut running = Vec::new();
        for (_, entry) in &mut self.tasks {
            if matches!(entry, Entry::Running(_)) {
                let Entry::Running(task) = mem::replace(entry, Entry::Ended) else {
                    unreachable!("the entry was running");
                };
                running.push(task);
            }
        }
        running
    }
}
