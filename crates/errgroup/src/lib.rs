//! Go's [`errgroup`](https://pkg.go.dev/golang.org/x/sync/errgroup) on tokio: spawn tasks, wait
//! for all of them, get the first error back, and let the others stop early through a shared
//! [`CancellationToken`].
//!
//! # Examples
//!
//! Fetch a user's profile and orders concurrently. If either fails, the other is cancelled and
//! `wait` returns the first error; otherwise each value comes out through its task's handle.
//!
//! ```
//! use std::time::Duration;
//!
//! use errgroup::{CancellationToken, Group};
//!
//! async fn fetch(what: &str, millis: u64, token: CancellationToken) -> Result<String, String> {
//!     tokio::select! {
//!         () = tokio::time::sleep(Duration::from_millis(millis)) => {}
//!         () = token.cancelled() => return Err(format!("{what}: cancelled")),
//!     }
//!     match what {
//!         "missing" => Err(format!("{what}: not found")),
//!         _ => Ok(format!("{what}: ok")),
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), errgroup::Error<String>> {
//! // Both succeed: take each value out of the group.
//! let group = Group::new();
//! let profile = group.spawn(fetch("profile", 2_000, group.token().clone()));
//! let orders = group.spawn(fetch("orders", 500, group.token().clone()));
//! let outputs = group.wait().await?;
//! assert_eq!(outputs.take(profile), "profile: ok");
//! assert_eq!(outputs.take(orders), "orders: ok");
//!
//! // One fails after 100 ms: the slow fetch is cancelled and the first error comes back.
//! let started = tokio::time::Instant::now();
//! let group = Group::new();
//! group.spawn(fetch("profile", 2_000, group.token().clone()));
//! group.spawn(fetch("missing", 100, group.token().clone()));
//! let error = group.wait().await.unwrap_err();
//! assert_eq!(error.to_string(), "missing: not found");
//! assert_eq!(started.elapsed(), Duration::from_millis(100));
//! # Ok(())
//! # }
//! ```
//!
//! # Install
//!
//! ```toml
//! [dependencies]
//! errgroup = "0.1"
//! tokio = { version = "1", features = ["rt-multi-thread", "macros", "time"] }
//! ```
//!
//! The crate turns on the tokio features it uses itself (`rt`, `sync`, `macros`, `time`);
//! the lines above are what a program needs for `#[tokio::main]` and its own timers. A
//! deadline ([`Builder::timeout`]) and [`Group::shutdown`] need a runtime with timers, which
//! `#[tokio::main]` and `Runtime::new` enable. Its one optional feature, `tracing`, runs each group and task in a
//! `tracing` span and warns when a group is dropped with a failure nobody waited for.
//!
//! # Guarantees
//!
//! - **First error by completion time.** `wait` returns the first error a task returned; the
//!   errors siblings return after the token was cancelled never replace it.
//! - **Fail fast.** The token is cancelled on the first error or panic, at the deadline, when
//!   `wait` has seen every task end, and when the group is dropped. A task whose first poll
//!   comes after that never runs.
//! - **No lost work.** A spawned task runs, or is handed back ([`SpawnError`]), or makes `wait`
//!   fail. `wait` returns `Ok` only if every task returned a value.
//! - **No orphans.** Dropping the group, or the future returned by `wait`, aborts every task
//!   still running and drops the queued ones. `wait` covers tasks spawned by tasks.
//! - **No lost panics.** A panicking task cancels the token, and its panic resumes in the caller
//!   of `wait` once the other tasks have ended.
//! - **No shared state for results.** Each spawn returns a [`TaskHandle`]; a successful `wait`
//!   returns the [`Outputs`] that redeem them, so a value cannot be read early.
//! - **Limits that keep order.** A [limited](Builder::limit) group runs at most `limit` tasks at
//!   once, in spawn order, on reusable workers.
//!
//! # From Go
//!
//! | Go (`golang.org/x/sync/errgroup`) | this crate |
//! |---|---|
//! | `var g errgroup.Group` | [`Group::new()`](Group::new) |
//! | `g, ctx := errgroup.WithContext(parent)` | [`Group::with_parent(&parent)`](Group::with_parent), then [`group.token()`](Group::token) |
//! | `g.Go(func() error { ... })` | [`group.spawn(async { ... })`](Group::spawn) |
//! | `g.Go` inside a goroutine | [`group.handle()`](Group::handle), then [`GroupHandle::spawn`] |
//! | `err := g.Wait()` | [`group.wait().await`](Group::wait), which also returns the tasks' values |
//! | `g.SetLimit(n)` | [`Builder::new().limit(n).build()`](Builder::limit) |
//! | `g.Go(f)` blocking under `SetLimit` | [`group.spawn_with_backpressure(f).await`](Group::spawn_with_backpressure) |
//! | `g.TryGo(f)` | [`group.try_spawn(f)`](Group::try_spawn), which hands `f` back when full |
//! | a forgotten `Wait` leaks goroutines | dropping the group aborts its tasks |
//! | a panic crashes the process | the panic resumes at `wait` |
//! | `context.Cause(ctx)` | [`group.cause()`](Group::cause), or the [`Cause`] in [`Error::Cancelled`] |
//! | `context.WithTimeout` around the group | [`Builder::timeout`], reported as [`Error::DeadlineExceeded`] |
//!
//! # Beyond Go
//!
//! - [`Cause`]: why the token was cancelled.
//! - [`Builder::timeout`] and [`Builder::deadline`]: a group-level deadline.
//! - [`Group::shutdown`]: cancel, give the tasks a grace period, abort the rest, and report them.
//! - [`TaskId`]s: errors, caught panics and shutdowns say which task.
//! - [`Builder::keep_all_errors`] and [`Group::wait_all`]: every error, not only the first.
//! - [`Builder::catch_panics`]: a panic as an [`Error::Panicked`] value instead of an unwind.
//! - [`Completions`]: task values one by one, in completion order.
//! - [`Scope`]: tasks that borrow from the caller, without `'static` or `Send`.
//! - The `tracing` feature.
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

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod builder;
mod cause;
mod completions;
mod error;
mod group;
mod group_handle;
mod handle;
#[cfg(all(test, errgroup_loom))]
mod loom_models;
mod registry;
mod scope;
mod shared;
mod state;
mod sync;
mod task;
mod trace;
mod workers;

pub use builder::Builder;
pub use cause::Cause;
pub use completions::Completions;
pub use error::{Error, SpawnError};
pub use group::{Group, Shutdown};
pub use group_handle::GroupHandle;
pub use handle::{Outputs, TaskHandle, TaskId};
pub use scope::Scope;
/// The token groups share with their tasks, re-exported so that users need not depend on
/// `tokio-util` themselves.
pub use tokio_util::sync::CancellationToken;

/// The crate's README, compiled and run with the doctests so its code stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
