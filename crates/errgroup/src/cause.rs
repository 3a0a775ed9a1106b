//! [`Cause`]: why a group's token was cancelled, Go's `context.Cause`.

use std::fmt;
use std::sync::atomic::Ordering::{AcqRel, Acquire};

use crate::sync::AtomicU8;

/// Why a group's [`CancellationToken`](crate::CancellationToken) was cancelled: Go's
/// `context.Cause`.
///
/// The cause is set once, by whatever cancelled the token first, and never changes after.
/// [`Group::cause`](crate::Group::cause) returns it, and [`Error::Cancelled`](crate::Error)
/// carries it to the caller of `wait`. A cancellation from outside the group is told apart
/// when the group first notices it (a task starting or failing, a call to `cause`): if by then
/// the parent is cancelled too, the cause is [`ParentCancelled`](Cause::ParentCancelled).
///
/// # Examples
///
/// ```
/// use errgroup::{Cause, Group};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let group = Group::new();
/// group.spawn(async { Err::<(), _>("boom") });
/// group.token().cancelled().await;
/// assert_eq!(group.cause(), Some(Cause::TaskFailed));
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cause {
    /// A task returned an error.
    TaskFailed,
    /// A task panicked.
    TaskPanicked,
    /// A task was dropped before it ended, for example because its runtime shut down.
    TaskLost,
    /// The parent token given to [`Builder::parent`](crate::Builder::parent) was cancelled.
    ParentCancelled,
    /// Somebody called [`cancel`](crate::CancellationToken::cancel) on the group's token.
    TokenCancelled,
    /// The group's deadline passed ([`Builder::timeout`](crate::Builder::timeout)).
    DeadlineExceeded,
    /// [`Group::shutdown`](crate::Group::shutdown) was called.
    ShutDown,
    /// Every task ended and `wait` returned: the group is over.
    Finished,
    /// The group, or the future returned by its `wait`, was dropped.
    Dropped,
}

impl Cause {
    const ALL: [Cause; 9] = [
        Cause::TaskFailed,
        Cause::TaskPanicked,
        Cause::TaskLost,
        Cause::ParentCancelled,
        Cause::TokenCancelled,
        Cause::DeadlineExceeded,
        Cause::ShutDown,
        Cause::Finished,
        Cause::Dropped,
    ];
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Cause::TaskFailed => "a task failed",
            Cause::TaskPanicked => "a task panicked",
            Cause::TaskLost => "a task was dropped before it ended",
            Cause::ParentCancelled => "the parent token was cancelled",
            Cause::TokenCancelled => "the group's token was cancelled",
            Cause::DeadlineExceeded => "the deadline passed",
            Cause::ShutDown => "the group was shut down",
            Cause::Finished => "the group finished",
            Cause::Dropped => "the group was dropped",
        })
    }
}

/// A [`Cause`] that is set once.
#[derive(Debug, Default)]
pub(crate) struct CauseCell(AtomicU8);

impl CauseCell {
    pub(crate) fn get(&self) -> Option<Cause> {
        let code = usize::from(self.0.load(Acquire));
        Cause::ALL.get(code.checked_sub(1)?).copied()
    }

    /// Sets the cause to `cause` unless one is set; returns the cause in force.
    pub(crate) fn set_once(&self, cause: Cause) -> Cause {
        let index = Cause::ALL.iter().position(|known| *known == cause);
        let code = u8::try_from(index.expect("every cause is listed") + 1).expect("few causes");
        match self.0.compare_exchange(0, code, AcqRel, Acquire) {
            Ok(_) => cause,
            Err(_) => self.get().expect("a set cause decodes"),
        }
    }
}
