//! The synchronisation primitives of the group's lock-free core: `std`'s, or `loom`'s when the
//! crate is built with `--cfg errgroup_loom` to model-check that core.

#[cfg(errgroup_loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize};
#[cfg(errgroup_loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard};
#[cfg(not(errgroup_loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize};
#[cfg(not(errgroup_loom))]
pub(crate) use std::sync::{Mutex, MutexGuard};

/// Locks `mutex`, ignoring poison: the group's locks guard plain data, and no user code runs
/// while one is held.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
