//! [`Registry`]: the runtime tasks a group runs on (one per task, or its workers), so that
//! dropping or shutting down the group can abort them.
//!
//! # Invariants
//!
//! - An entry is `Spawning` from before `tokio::spawn` until the spawner records the task's
//!   handle; the task may end before that, and then marks the entry `Ended`, so whichever of
//!   the two comes second removes it. Memory is O(live tasks).
//! - Once `closed`, every handle recorded was aborted, and a spawner that records a handle
//!   aborts it instead.

use std::mem;

use slab::Slab;
use tokio::task::JoinHandle;

enum Entry {
    Spawning,
    Running(JoinHandle<()>),
    Ended,
}

#[derive(Default)]
pub(crate) struct Registry {
    tasks: Slab<Entry>,
    closed: bool,
}

impl Registry {
    /// Reserves an entry for a task about to be spawned; returns its key.
    pub(crate) fn reserve(&mut self) -> usize {
        self.tasks.insert(Entry::Spawning)
    }

    /// Records the handle of the task spawned for `key`.
    pub(crate) fn spawned(&mut self, key: usize, task: JoinHandle<()>) {
        match self.tasks[key] {
            Entry::Ended => drop(self.tasks.remove(key)),
            _ if self.closed => {
                task.abort();
                self.tasks[key] = Entry::Ended;
            }
            _ => self.tasks[key] = Entry::Running(task),
        }
    }

    /// The task for `key` ended, or was never spawned.
    pub(crate) fn ended(&mut self, key: usize) {
        match self.tasks[key] {
            Entry::Spawning => self.tasks[key] = Entry::Ended,
            _ => drop(self.tasks.remove(key)),
        }
    }

    /// Aborts every task running; with `close`, also every task recorded from now on.
    pub(crate) fn abort_all(&mut self, close: bool) {
        self.closed |= close;
        for (_, entry) in &mut self.tasks {
            if let Entry::Running(task) = mem::replace(entry, Entry::Ended) {
                task.abort();
            }
        }
    }
}
