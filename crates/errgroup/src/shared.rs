//! [`Shared`]: the state one group shares with its handles and its tasks, and what every
//! operation of the group does to it.
//!
//! # Invariants
//!
//! - A group cancels its token only after setting its [`Cause`], so a cancelled token with no
//!   cause set means somebody outside cancelled it; the first to see that sets the cause to the
//!   parent or the token. The group never calls into a token from a waker, so it relies on no
//!   lock order inside `tokio-util`.
//! - A failure counts only if the group was not cancelled for another reason before it: the
//!   "I was cancelled" errors siblings return never replace the root cause.
//! - A task that delivers no value (skipped, aborted, lost with its runtime) sets `missing`
//!   before it stops counting as live, so `wait` returns `Ok` only if every task delivered one.
//! - See [`State`], [`Registry`] and [`Workers`] for the live count, the runtime tasks and the
//!   queue of a limited group.

use std::any::Any;
use std::future::Future;
use std::mem;
use std::panic;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::cause::CauseCell;
use crate::handle::Slot;
use crate::registry::Registry;
use crate::state::State;
use crate::sync::{AtomicBool, Mutex, lock};
use crate::task::{TaskFuture, TaskGuard};
use crate::trace::GroupSpan;
use crate::workers::{Admission, Next, Workers};
use crate::{Cause, Error, Outputs, SpawnError, TaskHandle, TaskId};

/// When a group's deadline passes: a timeout from `build`, or an instant.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Deadline {
    After(Duration),
    At(Instant),
}

/// A panic payload, as `std::panic::catch_unwind` returns it.
pub(crate) type PanicPayload = Box<dyn Any + Send + 'static>;

/// A task of a limited group, as its worker runs it.
type Job = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// How a group is built: [`Builder`](crate::Builder)'s options.
#[derive(Clone, Debug, Default)]
pub(crate) struct Options {
    pub(crate) parent: Option<CancellationToken>,
    pub(crate) limit: Option<usize>,
    pub(crate) deadline: Option<Deadline>,
    pub(crate) catch_panics: bool,
    pub(crate) keep_all_errors: bool,
    pub(crate) name: Option<std::borrow::Cow<'static, str>>,
}

struct Outcome<E> {
    /// The first failure, then, in a group that keeps all errors, the later ones.
    errors: Vec<Error<E>>,
    panic: Option<PanicPayload>,
}

impl<E> Default for Outcome<E> {
    fn default() -> Self {
        Self {
            errors: Vec::new(),
            panic: None,
        }
    }
}

pub(crate) struct Shared<E> {
    /// Tells this group's task handles apart from another group's.
    pub(crate) id: u64,
    token: CancellationToken,
    parent: Option<CancellationToken>,
    cause: CauseCell,
    state: State,
    /// Signalled when no task is live any more.
    idle: Notify,
    next_task: AtomicU64,
    /// Set once a failure is recorded, so that later ones are dropped without a lock.
    failed: AtomicBool,
    /// Set when a task ended without a value or a failure of its own.
    missing: AtomicBool,
    outcome: Mutex<Outcome<E>>,
    registry: Registry,
    workers: Option<Workers<Job>>,
    /// Signalled when a limited group's queue falls to half its room.
    room: Notify,
    /// During a shutdown, the tasks aborted while running.
    aborted: Mutex<Option<Vec<TaskId>>>,
    timeout: Option<Duration>,
    catch_panics: bool,
    keep_all_errors: bool,
    pub(crate) span: GroupSpan,
}

impl<E: Send + 'static> Shared<E> {
    #[track_caller]
    pub(crate) fn new(options: Options) -> Arc<Self> {
        static NEXT_GROUP: AtomicU64 = AtomicU64::new(0);
        let id = NEXT_GROUP.fetch_add(1, Relaxed);
        let now = Instant::now();
        // A timeout too large to represent means no deadline.
        let deadline = options.deadline.and_then(|deadline| match deadline {
            Deadline::After(timeout) => Some((now.checked_add(timeout)?, timeout)),
            Deadline::At(at) => Some((at, at.saturating_duration_since(now))),
        });
        let token = match &options.parent {
            Some(parent) => parent.child_token(),
            None => CancellationToken::new(),
        };
        let shared = Arc::new(Self {
            id,
            token,
            parent: options.parent,
            cause: CauseCell::default(),
            state: State::default(),
            idle: Notify::new(),
            next_task: AtomicU64::new(0),
            failed: AtomicBool::new(false),
            missing: AtomicBool::new(false),
            outcome: Mutex::new(Outcome::default()),
            registry: Registry::default(),
            workers: options.limit.map(Workers::new),
            room: Notify::new(),
            aborted: Mutex::new(None),
            timeout: deadline.map(|(_, timeout)| timeout),
            catch_panics: options.catch_panics,
            keep_all_errors: options.keep_all_errors,
            span: GroupSpan::new(id, options.name),
        });
        if let Some((at, _)) = deadline {
            // Made here, so that a runtime without timers panics at the call, not in a task.
            let sleep = tokio::time::sleep_until(at);
            let group = Arc::clone(&shared);
            tokio::spawn(async move {
                tokio::select! {
                    () = sleep => group.deadline_passed(),
                    () = group.token.cancelled() => {}
                }
            });
        }
        shared
    }

    /// Accepts `future` as a task of the group; gives it back if the group has ended.
    #[track_caller]
    pub(crate) fn spawn<F, T>(self: &Arc<Self>, future: F) -> Result<TaskHandle<T>, F>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
    {
        let runtime = current_runtime();
        if !self.state.enter() {
            return Err(future);
        }
        let id = self.next_id();
        let Some(workers) = &self.workers else {
            let mut handle = None;
            self.spawn_registered(&runtime, id.as_u64(), |key| {
                let (task, task_handle) = self.task(id, future, Some(key));
                handle = Some(task_handle);
                task
            });
            return Ok(handle.expect("the task was made"));
        };
        let (job, handle) = self.task(id, future, None);
        if let Some(job) = workers.push(Box::pin(job)) {
            self.start_worker(&runtime, job);
        }
        Ok(handle)
    }

    /// Accepts `future` if it can start now.
    #[track_caller]
    pub(crate) fn try_spawn<F, T>(
        self: &Arc<Self>,
        future: F,
    ) -> Result<TaskHandle<T>, SpawnError<F>>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
    {
        let Some(workers) = &self.workers else {
            return self.spawn(future).map_err(SpawnError::Closed);
        };
        let runtime = current_runtime();
        if !self.state.enter() {
            return Err(SpawnError::Closed(future));
        }
        let admission = workers.try_admit();
        if let Admission::Full = admission {
            self.task_ended(None); // counted by `enter` above
            return Err(SpawnError::Full(future));
        }
        let (job, handle) = self.task(self.next_id(), future, None);
        match admission {
            Admission::Promised => workers.push_promised(Box::pin(job)),
            _ => self.start_worker(&runtime, Box::pin(job)),
        }
        Ok(handle)
    }

    /// Waits until a limited group's queue has room, or the group is cancelled.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it takes nothing.
    pub(crate) async fn wait_for_room(&self) {
        let Some(workers) = &self.workers else {
            return;
        };
        loop {
            let mut room = pin!(self.room.notified());
            room.as_mut().enable();
            if workers.has_room() {
                return;
            }
            tokio::select! {
                () = room => {}
                () = self.token.cancelled() => return,
            }
        }
    }

    /// Makes the future that runs `future` as a task of the group, in its span, and the
    /// handle to its value.
    fn task<F, T>(
        self: &Arc<Self>,
        id: TaskId,
        future: F,
        key: Option<usize>,
    ) -> (impl Future<Output = ()> + Send + 'static, TaskHandle<T>)
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
    {
        let slot = Slot::default();
        let guard = TaskGuard::new(Arc::clone(self), id, key);
        let handle = TaskHandle::new(self.id, id, Arc::clone(&slot));
        let task = TaskFuture::new(future, slot, guard);
        (self.span.instrument_task(id, task), handle)
    }

    fn start_worker(self: &Arc<Self>, runtime: &Handle, first: Job) {
        // Workers start seldom: one shard is as good as another.
        self.spawn_registered(runtime, 0, |key| {
            let worker = Worker {
                shared: Arc::clone(self),
                key,
                lingering: false,
                retired: false,
            };
            self.span.instrument(worker.run(first))
        });
    }

    /// The id of the next task spawned.
    fn next_id(&self) -> TaskId {
        TaskId(self.next_task.fetch_add(1, Relaxed))
    }

    /// Spawns the runtime task `make` makes, with its entry in the registry's shard `hint`
    /// picks.
    fn spawn_registered<R>(&self, runtime: &Handle, hint: u64, make: impl FnOnce(usize) -> R)
    where
        R: Future<Output = ()> + Send + 'static,
    {
        let key = self.registry.reserve(hint);
        self.registry.spawned(key, runtime.spawn(make(key)));
    }
}

/// The runtime to spawn on; checked before a spawn changes anything, so that a spawn outside a
/// runtime panics leaving no trace in the group.
#[track_caller]
fn current_runtime() -> Handle {
    Handle::try_current().unwrap_or_else(|error| panic!("{error}"))
}

/// A runtime task that runs queued tasks of a limited group one after another.
struct Worker<E> {
    shared: Arc<Shared<E>>,
    key: usize,
    /// Where it is: running a task, lingering, or retired.
    lingering: bool,
    retired: bool,
}

impl<E> Worker<E> {
    async fn run(mut self, first: Job) {
        let workers = self
            .shared
            .workers
            .as_ref()
            .expect("a limited group has workers");
        first.await;
        loop {
            // Without this, a worker with a long queue of tasks that never wait would keep its
            // thread from every other task.
            tokio::task::consume_budget().await;
            match workers.next(mem::take(&mut self.lingering)) {
                Next::Run(job, half_empty) => {
                    if half_empty {
                        self.shared.room.notify_waiters();
                    }
                    job.await;
                }
                Next::Linger => {
                    self.lingering = true;
                    tokio::task::yield_now().await;
                }
                Next::Retire => break,
            }
        }
        self.retired = true;
    }
}

impl<E> Drop for Worker<E> {
    fn drop(&mut self) {
        if !self.retired {
            // Aborted, or its spawn failed: free its place.
            let workers = self
                .shared
                .workers
                .as_ref()
                .expect("a limited group has workers");
            drop(workers.retire(self.lingering));
        }
        self.shared.registry.ended(self.key);
    }
}

impl<E> Shared<E> {
    pub(crate) fn token(&self) -> &CancellationToken {
        &self.token
    }

    /// Whether the token is cancelled, or about to be by the group: exactly, not a cached flag.
    pub(crate) fn is_cancelled(&self) -> bool {
        self.cause.get().is_some() || self.token.is_cancelled()
    }

    /// Returns why the token was cancelled, or `None` if it was not.
    pub(crate) fn cause(&self) -> Option<Cause> {
        match self.cause.get() {
            None if self.token.is_cancelled() => Some(self.settle(Cause::TokenCancelled)),
            cause => cause,
        }
    }

    /// Sets the cause to `cause`, or to the outside canceller if the token is cancelled
    /// already; returns the cause in force.
    fn settle(&self, cause: Cause) -> Cause {
        if let Some(set) = self.cause.get() {
            return set;
        }
        let cause = match &self.parent {
            _ if !self.token.is_cancelled() => cause,
            Some(parent) if parent.is_cancelled() => Cause::ParentCancelled,
            _ => Cause::TokenCancelled,
        };
        self.cause.set_once(cause)
    }

    /// Cancels the token for `cause`, unless it is cancelled already.
    pub(crate) fn cancel(&self, cause: Cause) {
        if self.cause.get().is_none() {
            self.settle(cause);
            self.token.cancel();
        }
    }

    pub(crate) fn record_error(&self, task: TaskId, error: E) {
        self.record(Error::Task { task, error }, Cause::TaskFailed);
    }

    pub(crate) fn record_panic(&self, task: TaskId, payload: PanicPayload) {
        if self.catch_panics {
            let message = panic_message(&*payload);
            self.record(Error::Panicked { task, message }, Cause::TaskPanicked);
            return;
        }
        let later_panic = {
            let mut outcome = lock(&self.outcome);
            self.settle(Cause::TaskPanicked);
            self.failed.store(true, Release);
            match outcome.panic {
                None => outcome.panic.replace(payload),
                Some(_) => Some(payload),
            }
        };
        // Outside the lock: a payload's destructor is user code.
        drop(later_panic);
        self.token.cancel();
    }

    /// Records `failure`, caused by `cause`, and cancels the token; but a task error in a group
    /// that keeps all errors does not cancel it.
    fn record(&self, failure: Error<E>, cause: Cause) {
        let fails_fast = !(self.keep_all_errors && cause == Cause::TaskFailed);
        if !self.keep_all_errors && self.failed.load(Acquire) {
            return;
        }
        let rejected = {
            let mut outcome = lock(&self.outcome);
            let counts = if fails_fast {
                self.settle(cause) == cause && (self.keep_all_errors || outcome.errors.is_empty())
            } else {
                !self.is_cancelled()
            };
            if counts {
                outcome.errors.push(failure);
                self.failed.store(true, Release);
                None
            } else {
                // Caused by an earlier cancellation: the task owed a value and has none.
                self.missing.store(true, Release);
                Some(failure)
            }
        };
        drop(rejected);
        if fails_fast {
            self.token.cancel();
        }
    }

    /// A task ended without a value or a failure of its own: skipped, aborted, or dropped with
    /// its runtime. `started` tells whether it had run.
    pub(crate) fn task_lost(&self, task: TaskId, started: bool) {
        self.missing.store(true, Release);
        if started && let Some(aborted) = lock(&self.aborted).as_mut() {
            aborted.push(task);
        }
        self.cancel(Cause::TaskLost);
    }

    pub(crate) fn task_ended(&self, key: Option<usize>) {
        if let Some(key) = key {
            self.registry.ended(key);
        }
        if self.state.exit() {
            self.idle.notify_one();
        }
    }

    /// The deadline passed: the group fails, unless every task has ended already (it then only
    /// stops accepting work).
    fn deadline_passed(&self) {
        if self.state.live() == 0 {
            self.cancel(Cause::DeadlineExceeded);
        } else if let Some(timeout) = self.timeout {
            self.record(Error::DeadlineExceeded { timeout }, Cause::DeadlineExceeded);
        }
    }

    /// Waits until no task is live, leaving the group open.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub(crate) async fn idle(&self) {
        loop {
            let mut idle = pin!(self.idle.notified());
            idle.as_mut().enable();
            if self.state.live() == 0 {
                return;
            }
            idle.await;
        }
    }

    /// Waits until no task is live, closes the group, cancels its token, and returns its end.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping it before it completes leaves the group open.
    pub(crate) async fn finish(&self) -> Result<Outputs, Vec<Error<E>>> {
        loop {
            self.idle().await;
            if self.state.close_if_idle() {
                break;
            }
        }
        self.cancel(Cause::Finished);
        self.take_failures().map_or(Ok(Outputs::new(self.id)), Err)
    }

    /// Takes the failures recorded so far, leaving the group clean; resumes the first panic.
    pub(crate) fn take_failures(&self) -> Option<Vec<Error<E>>> {
        let outcome = mem::take(&mut *lock(&self.outcome));
        self.failed.store(false, Release);
        if let Some(payload) = outcome.panic {
            panic::resume_unwind(payload);
        }
        if self.missing.swap(false, AcqRel) && outcome.errors.is_empty() {
            return Some(vec![self.missing_value()]);
        }
        (!outcome.errors.is_empty()).then_some(outcome.errors)
    }

    /// The failure of a group where a task delivered no value and none failed.
    fn missing_value(&self) -> Error<E> {
        match (self.cause(), self.timeout) {
            (Some(Cause::DeadlineExceeded), Some(timeout)) => Error::DeadlineExceeded { timeout },
            (cause, _) => Error::Cancelled {
                cause: cause.unwrap_or(Cause::TaskLost),
            },
        }
    }

    /// Aborts every task still running and drops the queued ones, and starts noting which
    /// running tasks end that way. The group stays open: the aborted tasks still have to end.
    pub(crate) fn abort_running(&self) {
        *lock(&self.aborted) = Some(Vec::new());
        self.abort(false);
    }

    /// The tasks aborted since [`abort_running`](Shared::abort_running).
    pub(crate) fn take_aborted(&self) -> Vec<TaskId> {
        let mut aborted = lock(&self.aborted).take().unwrap_or_default();
        aborted.sort_unstable();
        aborted
    }

    /// Closes the group, cancels its token, aborts every task still running and drops the
    /// queued ones. Returns whether a failure had been recorded that nobody will see.
    pub(crate) fn close_and_abort(&self) -> bool {
        self.state.close();
        self.cancel(Cause::Dropped);
        self.abort(true);
        self.failed.load(Acquire)
    }

    /// Aborts every runtime task running, and with `close` every one recorded from now on, and
    /// drops the queued tasks: locks first, then user code (the tasks' destructors).
    fn abort(&self, close: bool) {
        self.registry.abort_running(close);
        if let Some(workers) = &self.workers {
            drop(workers.take_queued());
        }
    }

    pub(crate) fn live(&self) -> usize {
        self.state.live()
    }
}

/// The message of a panic whose payload is a string, as `std` prints it.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    match payload.downcast_ref::<&str>() {
        Some(message) => (*message).to_owned(),
        None => payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_else(|| "Box<dyn Any>".to_owned()),
    }
}
