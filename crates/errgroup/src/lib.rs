//! Go's [`errgroup`](https://pkg.go.dev/golang.org/x/sync/errgroup) on tokio: spawn tasks, wait
//! for all of them, get the first error, and let the others stop early through a shared
//! [`CancellationToken`].
//!
//! # Examples
//!
//! Fetch a user's profile and orders concurrently; if either fails, the other is cancelled and
//! `wait` returns the first error. Each task's value comes out through its handle.
//!
//! ```
//! use std::time::Duration;
//!
//! use errgroup::Group;
//! use tokio_util::sync::CancellationToken;
//!
//! #[derive(Debug, PartialEq)]
//! enum FetchError {
//!     NotFound(&'static str),
//!     Cancelled,
//! }
//!
//! async fn fetch(what: &'static str, millis: u64, token: CancellationToken) -> Result<String, FetchError> {
//!     tokio::select! {
//!         () = tokio::time::sleep(Duration::from_millis(millis)) => {}
//!         () = token.cancelled() => return Err(FetchError::Cancelled),
//!     }
//!     match what {
//!         "missing" => Err(FetchError::NotFound(what)),
//!         _ => Ok(format!("{what}: ok")),
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), errgroup::Error<FetchError>> {
//! // Both succeed: take each value out of the group.
//! let group = Group::new();
//! let profile = group.spawn_with_token(|token| fetch("profile", 2_000, token));
//! let orders = group.spawn_with_token(|token| fetch("orders", 500, token));
//! let outputs = group.wait().await?;
//! assert_eq!(outputs.take(profile), "profile: ok");
//! assert_eq!(outputs.take(orders), "orders: ok");
//!
//! // One fails after 100 ms: the slow fetch is cancelled and the first error comes back.
//! let started = tokio::time::Instant::now();
//! let group = Group::new();
//! group.spawn_with_token(|token| fetch("profile", 2_000, token));
//! group.spawn_with_token(|token| fetch("missing", 100, token));
//! let error = group.wait().await.unwrap_err();
//! assert!(matches!(error, errgroup::Error::Task { error: FetchError::NotFound("missing"), .. }));
//! assert_eq!(started.elapsed(), Duration::from_millis(100));
//! # Ok(())
//! # }
//! ```
//!
//! # Guarantees
//!
//! - **First error by completion time.** `wait` returns the first error a task returned. The
//!   errors siblings return after the token was cancelled never replace it.
//! - **Fail fast.** The token is cancelled on the first error or panic, when `wait` has seen
//!   every task end, and when the group is dropped. A task spawned into a cancelled group never
//!   runs.
//! - **No orphans.** Dropping the group, or the future returned by `wait`, aborts every task
//!   still running. `wait` covers tasks spawned by tasks.
//! - **No lost panics.** A panicking task cancels the token, and its panic resumes in the caller
//!   of `wait` once the other tasks have ended.
//! - **No shared mutable state for results.** Each spawn returns a [`TaskHandle`]; a successful
//!   `wait` returns the [`Outputs`] that redeem them, so results cannot be read early.
//! - **Typed limits.** [`Builder::limit`] makes a group whose `spawn` waits for a free slot
//!   (backpressure) and that offers `try_spawn`; a limit of 0 panics at once.
//!
//! # From Go
//!
//! | Go (`golang.org/x/sync/errgroup`) | this crate |
//! |---|---|
//! | `var g errgroup.Group` | [`Group::new()`](Group::new) |
//! | `g, ctx := errgroup.WithContext(parent)` | [`Group::with_parent(&parent)`](Group::with_parent), then [`group.token()`](Group::token) |
//! | `g.Go(func() error { ... })` | [`group.spawn(async { ... })`](Group::spawn), or [`spawn_with_token`](Group::spawn_with_token) to get `ctx` |
//! | `g.Go` inside a goroutine | [`group.handle()`](Group::handle), then [`GroupHandle::spawn`] |
//! | `err := g.Wait()` | [`group.wait().await`](Group::wait), which also returns the tasks' values |
//! | `g.SetLimit(n)` then `g.Go(f)` | [`Builder::new().limit(n).build()`](Builder::limit), then `group.spawn(f).await` |
//! | `g.TryGo(f)` | [`group.try_spawn(f)`](Group#method.try_spawn), which hands `f` back when full |
//! | a forgotten `Wait` leaks goroutines | dropping the group aborts its tasks |
//! | a panic crashes the process | the panic resumes at `wait` |
//! | `context.Cause(ctx)` | [`group.cause()`](Group::cause), [`handle.cause()`](GroupHandle::cause) |
//! | `context.WithTimeout` around the group | [`Builder::timeout`], reported as [`Error::DeadlineExceeded`] |
//!
//! # Beyond Go
//!
//! What users of Go's errgroup, `JoinSet` and other task groups keep asking for:
//!
//! - [`Cause`]: why the token was cancelled (a task failed or panicked, the parent, the
//!   deadline, a shutdown, the end of `wait`, a drop).
//! - [`Builder::timeout`] and [`Builder::deadline`]: a group-level deadline.
//! - [`Group::shutdown`]: cancel, give the tasks a grace period, abort the rest, and report them.
//! - [`named`] tasks and [`TaskId`]s: errors, caught panics and reports say which task.
//! - [`Builder::keep_all_errors`]: every error, not only the first ([`Errors`]).
//! - [`Builder::catch_panics`]: a panic as an [`Error::Panicked`] value instead of an unwind.
//! - [`Completions`]: task values one by one, in completion order.
//! - [`GroupHandle::child`]: nested groups that stop as one.
//! - The `tracing` feature: a span per group and per task, and a warning when a group is
//!   dropped with a failure nobody waited for.
//!
//! # Misuse that does not compile
//!
//! Spawning into a group after waiting for it: `wait` takes the group by value.
//!
//! ```compile_fail,E0382
//! # async fn demo() {
//! let group = errgroup::Group::<()>::new();
//! let _ = group.wait().await;
//! group.spawn(async { Ok(()) }); // error: `group` was moved by `wait`
//! # }
//! ```
//!
//! Reading a task's value before the wait: only [`Outputs::take`] reads it, and only a
//! successful `wait` makes [`Outputs`].
//!
//! ```compile_fail,E0451
//! # async fn demo() {
//! let group = errgroup::Group::<()>::new();
//! let name = group.spawn(async { Ok("Alice") });
//! let outputs = errgroup::Outputs { group: 0 }; // error: `Outputs` cannot be built by hand
//! let early = outputs.take(name);
//! # }
//! ```
//!
//! Writing one error variable from two tasks, as Go's fail-fast kata does (a data race there):
//! a task must own what it touches, so its error goes through the group instead.
//!
//! ```compile_fail,E0373
//! # async fn demo() {
//! let group = errgroup::Group::<()>::new();
//! let mut first_error = None;
//! group.spawn(async { first_error = Some("profile failed"); Ok(()) }); // error: borrows `first_error`
//! group.spawn(async { first_error = Some("order failed"); Ok(()) });
//! # }
//! ```
//!
//! Waiting through a [`GroupHandle`]: handles spawn, only the group's owner waits.
//!
//! ```compile_fail,E0599
//! # async fn demo() {
//! let group = errgroup::Group::<()>::new();
//! let handle = group.handle();
//! handle.wait().await; // error: no method `wait` on `GroupHandle`
//! # }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod all_errors;
mod builder;
mod cancellation;
mod cause;
mod completions;
mod deadline;
mod error;
mod group;
mod group_handle;
mod limit;
mod outcome;
mod shared;
mod shutdown;
mod slots;
mod task;
mod task_handle;
mod task_info;
mod trace;

pub use all_errors::{AllErrors, ErrorMode, Errors, FirstError};
pub use builder::Builder;
pub use cause::Cause;
pub use completions::Completions;
pub use error::{Error, TrySpawnError};
pub use group::Group;
pub use group_handle::GroupHandle;
pub use limit::{Limit, Limited, Unlimited};
pub use shutdown::Shutdown;
pub use task_handle::{Outputs, TaskHandle};
pub use task_info::{Named, Task, TaskId, TaskInfo, named};
/// The token groups share with their tasks, re-exported so that users need not depend on
/// `tokio-util` themselves.
pub use tokio_util::sync::CancellationToken;

/// The crate's README, compiled and run with the doctests so its code stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
