//! [`Cause`]: why a group's token was cancelled (Go's `context.Cause`).

use std::sync::atomic::{AtomicU8, Ordering};

/// Why a group's token was cancelled: Go's `context.Cause` for a group.
///
/// A [`CancellationToken`](tokio_util::sync::CancellationToken) cannot say why it was cancelled;
/// the group can. Tasks read it with [`GroupHandle::cause`](crate::GroupHandle::cause), the
/// owner with [`Group::cause`](crate::Group::cause). The first cause sticks: a group cancelled by
/// a failing task still says [`TaskFailed`](Cause::TaskFailed) after `wait` has finished.
///
/// # Examples
///
/// ```
/// use errgroup::{Cause, Group};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let group = Group::new();
/// let handle = group.handle();
/// let why = group.spawn(async move {
///     handle.token().cancelled().await;
///     Ok(handle.cause())
/// });
/// group.spawn(async { Err::<Option<Cause>, _>("boom") });
/// assert!(group.wait().await.is_err());
/// # drop(why);
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cause {
    /// A task returned an error.
    TaskFailed,
    /// A task panicked.
    TaskPanicked,
    /// The parent token given to [`Builder::parent`](crate::Builder::parent) was cancelled.
    ParentCancelled,
    /// Someone holding the group's token called
    /// [`cancel`](tokio_util::sync::CancellationToken::cancel) on it.
    TokenCancelled,
    /// The group's deadline passed ([`Builder::timeout`](crate::Builder::timeout)).
    DeadlineExceeded,
    /// [`Group::shutdown`](crate::Group::shutdown) was called.
    ShutDown,
    /// `wait` saw every task end: the group is over.
    Finished,
    /// The group, or the future returned by `wait`, was dropped.
    Dropped,
}

impl Cause {
    const ALL: [Cause; 8] = [
        Cause::TaskFailed,
        Cause::TaskPanicked,
        Cause::ParentCancelled,
        Cause::TokenCancelled,
        Cause::DeadlineExceeded,
        Cause::ShutDown,
        Cause::Finished,
        Cause::Dropped,
    ];
}

/// A [`Cause`] set at most once; readable without a lock.
#[derive(Debug, Default)]
pub(crate) struct CauseCell(AtomicU8);

const UNSET: u8 = 0;

impl CauseCell {
    pub(crate) fn get(&self) -> Option<Cause> {
        decode(self.0.load(Ordering::Acquire))
    }

    /// Sets the cause to `cause()` unless it is set already; returns the cause that sticks.
    pub(crate) fn set_if_unset(&self, cause: impl FnOnce() -> Cause) -> Cause {
        if let Some(set) = self.get() {
            return set;
        }
        let cause = cause();
        match self
            .0
            .compare_exchange(UNSET, encode(cause), Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => cause,
            Err(set) => decode(set).expect("a set cause decodes"),
        }
    }
}

fn encode(cause: Cause) -> u8 {
    let index = Cause::ALL
        .iter()
        .position(|known| *known == cause)
        .expect("every cause is listed");
    u8::try_from(index + 1).expect("fewer than 255 causes")
}

fn decode(code: u8) -> Option<Cause> {
    Cause::ALL.get(usize::from(code).checked_sub(1)?).copied()
}
