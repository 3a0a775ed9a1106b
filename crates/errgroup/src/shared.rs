//! The state one group shares with its handles and its tasks.
//!
//! # Invariants
//!
//! - `live` counts the tasks spawned and not yet ended (returned, panicked, skipped or aborted).
//!   It is incremented only while `registry` is locked and `registry.closed` is false, so once
//!   [`Shared::close_when_idle`] has seen it at zero under that lock, it stays at zero.
//! - A failure is recorded in `outcome`, and its [`Cause`] set, *before* the token is cancelled.
//!   So a cancelled token with no cause set means somebody outside the group cancelled it (the
//!   parent token, or a holder of the token; the cancellation's waker then sets the cause), and
//!   a sibling's "I was cancelled" error never replaces the root cause.
//! - A task that will deliver no value (skipped, aborted, dropped with its runtime) records so
//!   before it stops counting as live, so `wait` returns `Ok` only if every task delivered one.
//! - Every spawned task is in `registry.tasks` until the group closes, except finished ones
//!   swept out by compaction; dropping the group aborts all that remain.

use std::any::Any;
use std::borrow::Cow;
use std::collections::HashMap;
use std::future::{Future, Pending};
use std::mem;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::Notify;
use tokio::task::AbortHandle;
use tokio_util::sync::CancellationToken;

use crate::cancellation::Cancellation;
use crate::deadline::Deadline;
use crate::outcome::Outcome;
use crate::slots::{SlotHold, Slots};
use crate::task::{TaskFuture, TaskGuard};
use crate::task_handle::TaskHandle;
use crate::trace::GroupSpan;
use crate::{Cause, Error, ErrorMode, Outputs, Task, TaskId, TaskInfo};

/// A panic payload, as `std::panic::catch_unwind` returns it.
pub(crate) type PanicPayload = Box<dyn Any + Send + 'static>;

/// The admission of a task that needs none (it holds a slot, or the group has no limit).
pub(crate) const NO_ADMISSION: Option<Pending<bool>> = None;

/// The smallest registry size at which finished tasks are swept out of it.
const MIN_COMPACTION_LEN: usize = 64;

/// How a group treats failures, fixed when it is built.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Policy {
    /// Turn panics into [`Error::Panicked`] instead of resuming them at `wait`.
    pub(crate) catch_panics: bool,
    /// Keep every failure, not only the first.
    pub(crate) keep_all_errors: bool,
}

pub(crate) struct Shared<E> {
    /// Tells this group's task handles and outputs apart from another group's.
    pub(crate) id: u64,
    /// The token, whether it is cancelled, and why.
    pub(crate) cancellation: Cancellation,
    /// Set once the outcome holds a failure, so that the errors siblings return because of it
    /// can be dropped without a lock.
    failed: AtomicBool,
    live: AtomicUsize,
    /// Signalled when `live` drops to zero.
    idle: Notify,
    registry: Mutex<Registry>,
    outcome: Mutex<Outcome<E>>,
    /// The slots and the backlog, if the group has a limit.
    pub(crate) slots: Option<Slots>,
    pub(crate) deadline: Option<Deadline>,
    policy: Policy,
    pub(crate) span: GroupSpan,
}

struct Registry {
    tasks: Vec<RegisteredTask>,
    /// The names of named tasks that may still be running.
    names: HashMap<TaskId, Cow<'static, str>>,
    next_id: u64,
    /// When `tasks` reaches this length, finished tasks are swept out.
    compact_at: usize,
    /// Set when the group has finished waiting or was dropped: no task may start after that.
    closed: bool,
    /// Whether the deadline's timer runs (it starts with the first spawn or wait).
    deadline_armed: bool,
}

pub(crate) struct RegisteredTask {
    pub(crate) id: TaskId,
    pub(crate) abort: AbortHandle,
}

/// What the group ends with, once every task has ended.
pub(crate) struct Ended<E> {
    pub(crate) outcome: Outcome<E>,
    /// The tasks not yet known to be finished by the runtime.
    pub(crate) tasks: Vec<RegisteredTask>,
}

/// The options a group is built with.
pub(crate) struct Options {
    pub(crate) parent: Option<CancellationToken>,
    pub(crate) limit: Option<usize>,
    pub(crate) deadline: Option<Deadline>,
    pub(crate) policy: Policy,
    pub(crate) name: Option<Cow<'static, str>>,
}

impl<E> Shared<E> {
    pub(crate) fn new(options: Options) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let token = match &options.parent {
            Some(parent) => parent.child_token(),
            None => CancellationToken::new(),
        };
        let slots = options.limit.map(Slots::new);
        Self {
            id,
            cancellation: Cancellation::watch(
                token,
                options.parent,
                slots.as_ref().map(|slots| Arc::clone(&slots.running)),
            ),
            failed: AtomicBool::new(false),
            live: AtomicUsize::new(0),
            idle: Notify::new(),
            registry: Mutex::new(Registry {
                tasks: Vec::new(),
                names: HashMap::new(),
                next_id: 0,
                compact_at: MIN_COMPACTION_LEN,
                closed: false,
                deadline_armed: false,
            }),
            outcome: Mutex::new(Outcome::clean()),
            slots,
            deadline: options.deadline,
            policy: options.policy,
            span: GroupSpan::new(id, options.name),
        }
    }

    pub(crate) fn task_started(&self) {
        self.live.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn task_ended(&self, hold: SlotHold) {
        self.release(hold);
        if self.live.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.idle.notify_one();
        }
    }

    /// Gives back what a task held of the group's slots.
    pub(crate) fn release(&self, hold: SlotHold) {
        if let Some(slots) = &self.slots {
            slots.release(hold);
        }
    }

    pub(crate) fn token(&self) -> &CancellationToken {
        self.cancellation.token()
    }

    /// Whether the token is cancelled, exactly (see [`Cancellation::is_cancelled`]).
    pub(crate) fn is_cancelled(&self) -> bool {
        self.cancellation.is_cancelled()
    }

    /// Returns why the token was cancelled, or `None` if it was not.
    pub(crate) fn cause(&self) -> Option<Cause> {
        self.cancellation.cause()
    }

    /// Cancels the token for `cause`, unless it is cancelled already.
    pub(crate) fn cancel(&self, cause: Cause) {
        self.cancellation.settle(cause);
        self.token().cancel();
    }

    /// Records `failure`, caused by `cause`, and cancels the token.
    pub(crate) fn record_failure(&self, failure: Error<E>, cause: Cause) {
        let rejected = {
            let mut outcome = lock(&self.outcome);
            let is_root = outcome.is_clean() && self.cancellation.settle(cause) == cause;
            let rejected = outcome.record(failure, is_root, self.policy.keep_all_errors);
            self.failed.store(true, Ordering::Release);
            rejected
        };
        // Outside the lock: dropping a task's error runs its code, which may panic.
        drop(rejected);
        self.token().cancel();
    }

    /// The deadline passed: the group fails with [`Error::DeadlineExceeded`], unless every task
    /// has ended already (the group then only stops accepting work).
    pub(crate) fn deadline_passed(&self, deadline: &Deadline) {
        let idle = {
            let _registry = lock(&self.registry);
            self.live.load(Ordering::Acquire) == 0
        };
        if idle {
            self.cancel(Cause::DeadlineExceeded);
        } else {
            let failure = Error::DeadlineExceeded {
                timeout: deadline.timeout,
            };
            self.record_failure(failure, Cause::DeadlineExceeded);
        }
    }

    /// Whether a failure would be dropped: one is recorded already, and the group keeps only
    /// the first. Lets the many siblings that fail because of the first failure skip every lock.
    fn drops_later_failures(&self) -> bool {
        !self.policy.keep_all_errors && self.failed.load(Ordering::Acquire)
    }

    pub(crate) fn record_error(&self, task: TaskId, error: E) {
        if self.drops_later_failures() {
            return;
        }
        let failure = Error::Task {
            task: self.task_info(task),
            error,
        };
        self.record_failure(failure, Cause::TaskFailed);
    }

    pub(crate) fn record_panic(&self, task: TaskId, payload: PanicPayload) {
        if self.policy.catch_panics {
            if self.drops_later_failures() {
                return;
            }
            let failure = Error::Panicked {
                task: self.task_info(task),
                message: panic_message(&*payload),
            };
            self.record_failure(failure, Cause::TaskPanicked);
            return;
        }
        {
            let mut outcome = lock(&self.outcome);
            self.cancellation.settle(Cause::TaskPanicked);
            outcome.record_panic(payload);
            self.failed.store(true, Ordering::Release);
        }
        self.token().cancel();
    }

    /// Records that a task will deliver no value: it did not start because the group was
    /// already cancelled, or something other than its own end dropped it (an abort, a runtime
    /// shutting down).
    pub(crate) fn record_no_value(&self) {
        if self.failed.load(Ordering::Acquire) {
            return;
        }
        let failure = match (self.cause(), &self.deadline) {
            (Some(Cause::DeadlineExceeded), Some(deadline)) => Error::DeadlineExceeded {
                timeout: deadline.timeout,
            },
            _ => Error::Cancelled,
        };
        lock(&self.outcome).record_no_value(failure);
        self.failed.store(true, Ordering::Release);
    }

    /// Returns the identity of `task`, with its name if it has one.
    pub(crate) fn task_info(&self, task: TaskId) -> TaskInfo {
        let name = lock(&self.registry).names.get(&task).cloned();
        TaskInfo::new(task, name)
    }

    /// Waits until no task is live, leaving the group open.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub(crate) async fn idle(&self) {
        loop {
            // Created before the check: a task that ends in between leaves a permit in `idle`.
            let idle = self.idle.notified();
            if self.live.load(Ordering::Acquire) == 0 {
                return;
            }
            idle.await;
        }
    }

    /// Takes the group's failure, if it has one, leaving the outcome clean; resumes the first
    /// panic if a task panicked.
    pub(crate) fn take_failure(&self) -> Option<Error<E>> {
        let outcome = self.take_outcome();
        if let Some(payload) = outcome.panic {
            std::panic::resume_unwind(payload);
        }
        outcome.first
    }

    fn take_outcome(&self) -> Outcome<E> {
        let outcome = mem::replace(&mut *lock(&self.outcome), Outcome::clean());
        self.failed.store(false, Ordering::Release);
        outcome
    }

    /// Waits until no task is live, then closes the group so that none can start again, and
    /// cancels the token (the group is over).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping it before it completes leaves the group open.
    pub(crate) async fn close_when_idle(&self) -> Ended<E> {
        loop {
            self.idle().await;
            // A task may have been spawned since: then wait again.
            if let Some(tasks) = self.close_if_idle() {
                self.cancel(Cause::Finished);
                return Ended {
                    outcome: self.take_outcome(),
                    tasks,
                };
            }
        }
    }

    fn close_if_idle(&self) -> Option<Vec<RegisteredTask>> {
        if self.live.load(Ordering::Acquire) != 0 {
            return None;
        }
        let mut registry = lock(&self.registry);
        if self.live.load(Ordering::Acquire) != 0 {
            return None;
        }
        registry.closed = true;
        registry.names.clear();
        Some(mem::take(&mut registry.tasks))
    }

    /// Aborts every task still running; returns those it aborted. The group stays open: the
    /// aborted tasks still have to end.
    pub(crate) fn abort_running(&self) -> Vec<TaskInfo> {
        let registry = lock(&self.registry);
        registry
            .tasks
            .iter()
            .filter(|task| !task.abort.is_finished())
            .map(|task| {
                task.abort.abort();
                TaskInfo::new(task.id, registry.names.get(&task.id).cloned())
            })
            .collect()
    }

    /// Closes the group, cancels its token and aborts every task still running.
    ///
    /// Returns whether a failure had been recorded that nobody will see.
    pub(crate) fn close_and_abort(&self) -> bool {
        let tasks = {
            let mut registry = lock(&self.registry);
            registry.closed = true;
            registry.names.clear();
            mem::take(&mut registry.tasks)
        };
        self.cancel(Cause::Dropped);
        for task in tasks {
            task.abort.abort();
        }
        !lock(&self.outcome).is_clean()
    }

    pub(crate) fn live(&self) -> usize {
        self.live.load(Ordering::Relaxed)
    }
}

impl<E: Send + 'static> Shared<E> {
    /// Starts `task` as a task of this group, unless the group is cancelled or closed.
    ///
    /// `hold` is what the caller took of the group's slots for it; the task gives it back when
    /// it ends. A task holding a place in the backlog waits for `admission` (a slot) before it
    /// runs.
    #[track_caller]
    pub(crate) fn spawn<T, G>(
        self: &Arc<Self>,
        task: T,
        hold: SlotHold,
        admission: Option<G>,
    ) -> TaskHandle<T::Output>
    where
        T: Task<E>,
        G: Future<Output = bool> + Send + 'static,
    {
        let (future, name) = task.into_parts();
        let mut registry = lock(&self.registry);
        let id = TaskId(registry.next_id);
        registry.next_id += 1;
        if registry.closed || self.is_cancelled() {
            let was_open = !registry.closed;
            drop(registry);
            self.release(hold);
            if was_open {
                self.record_no_value();
            }
            return TaskHandle::not_started(self.id, id);
        }
        if !registry.deadline_armed {
            registry.deadline_armed = Deadline::arm(self);
        }
        let span = self.span.task_span(id, name.as_deref());
        if let Some(name) = name {
            registry.names.insert(id, name);
        }
        // The guard counts the task as live; if `tokio::spawn` panics (no runtime), it is
        // dropped with the future and the count stays right.
        let guard = TaskGuard::new(Arc::clone(self), id, hold);
        let join = tokio::spawn(span.instrument(TaskFuture::new(future, admission, guard)));
        registry.tasks.push(RegisteredTask {
            id,
            abort: join.abort_handle(),
        });
        if registry.tasks.len() >= registry.compact_at {
            registry.compact();
        }
        drop(registry);
        TaskHandle::started(self.id, id, join)
    }
}

impl<E> Ended<E> {
    /// Turns what the group ended with into what `wait` returns: resumes the first panic, or
    /// returns the failure, or returns the [`Outputs`] once every task has really finished.
    pub(crate) async fn finish<M: ErrorMode>(self, group: u64) -> Result<Outputs, M::Failure<E>> {
        let Outcome {
            first,
            later,
            panic,
        } = self.outcome;
        if let Some(payload) = panic {
            std::panic::resume_unwind(payload);
        }
        if let Some(first) = first {
            return Err(M::failure(first, later));
        }
        // Every task body has ended; a task may still be handing its value to the runtime on
        // another worker. Outputs promise values that are ready, so let those last steps end.
        for task in self.tasks {
            while !task.abort.is_finished() {
                tokio::task::yield_now().await;
            }
        }
        Ok(Outputs::new(group))
    }
}

impl Registry {
    /// Drops finished tasks (and their names); amortised O(1) per spawn, since the next sweep
    /// waits until the registry has doubled again.
    fn compact(&mut self) {
        let names = &mut self.names;
        self.tasks.retain(|task| {
            let finished = task.abort.is_finished();
            if finished && !names.is_empty() {
                names.remove(&task.id);
            }
            !finished
        });
        self.compact_at = (self.tasks.len() * 2).max(MIN_COMPACTION_LEN);
    }
}

/// Locks `mutex`, ignoring poison: every critical section here leaves its state consistent.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The message of a panic, if it was a string.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "Box<dyn Any>".to_owned()
    }
}
