//! [`Registry`]: the runtime tasks a group runs on (one per task, or its workers), so that
//! dropping or shutting down the group can abort them.
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

    /// Records the handle of the task spawned for `key`; returns it if the caller must abort
    /// it, the registry being closed.
    #[must_use = "a handle returned must be aborted"]
    pub(crate) fn spawned(&mut self, key: usize, task: JoinHandle<()>) -> Option<JoinHandle<()>> {
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

    /// The task for `key` ended, or was never spawned.
    pub(crate) fn ended(&mut self, key: usize) {
        match self.tasks[key] {
            Entry::Spawning => self.tasks[key] = Entry::Ended,
            _ => drop(self.tasks.remove(key)),
        }
    }

    /// Takes out the handle of every task running, for the caller to abort; with `close`,
    /// also of every task recorded from now on.
    #[must_use = "the handles returned must be aborted"]
    pub(crate) fn take_running(&mut self, close: bool) -> Vec<JoinHandle<()>> {
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
