//! Spans for groups and tasks with the `tracing` feature; nothing at all without it.

use std::borrow::Cow;

use crate::TaskId;

/// The span every task of a group runs in (a ZST without the `tracing` feature).
#[derive(Debug)]
pub(crate) struct GroupSpan {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
}

/// The span one task runs in.
pub(crate) struct TaskSpan {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
}

impl GroupSpan {
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn new(group: u64, name: Option<Cow<'static, str>>) -> Self {
        Self {
            #[cfg(feature = "tracing")]
            span: tracing::info_span!("errgroup", group, name = name.as_deref()),
        }
    }

    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn task_span(&self, task: TaskId, name: Option<&str>) -> TaskSpan {
        TaskSpan {
            #[cfg(feature = "tracing")]
            span: tracing::info_span!(parent: &self.span, "task", task = task.as_u64(), name),
        }
    }

    /// Warns that a group was dropped with a failure nobody waited for.
    pub(crate) fn warn_unobserved_failure(&self) {
        #[cfg(feature = "tracing")]
        self.span.in_scope(|| {
            tracing::warn!(
                "group dropped without wait after a task failed or panicked; its tasks were aborted"
            );
        });
    }

    /// Runs `future` inside the group's span.
    #[cfg(feature = "tracing")]
    pub(crate) fn instrument<F>(&self, future: F) -> tracing::instrument::Instrumented<F> {
        tracing::Instrument::instrument(future, self.span.clone())
    }

    /// Runs `future` inside the group's span.
    #[cfg(not(feature = "tracing"))]
    pub(crate) fn instrument<F>(&self, future: F) -> F {
        future
    }
}

impl TaskSpan {
    /// Runs `future` inside the task's span.
    #[cfg(feature = "tracing")]
    pub(crate) fn instrument<F>(self, future: F) -> tracing::instrument::Instrumented<F> {
        tracing::Instrument::instrument(future, self.span)
    }

    /// Runs `future` inside the task's span.
    #[cfg(not(feature = "tracing"))]
    pub(crate) fn instrument<F>(self, future: F) -> F {
        future
    }
}
