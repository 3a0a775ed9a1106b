//! The `tracing` feature: a span per group and per task, and a warning when a group is dropped
//! with a failure nobody waited for. Without the feature, all of it compiles to nothing.

use std::borrow::Cow;

use crate::TaskId;

#[derive(Debug)]
pub(crate) struct GroupSpan {
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

    pub(crate) fn warn_unobserved_failure(&self) {
        #[cfg(feature = "tracing")]
        self.span.in_scope(|| {
            tracing::warn!(
                "group dropped without wait after a task failed or panicked; its tasks were aborted"
            );
        });
    }

    /// Runs `future` in the group's span.
    #[cfg(feature = "tracing")]
    pub(crate) fn instrument<F>(&self, future: F) -> tracing::instrument::Instrumented<F> {
        tracing::Instrument::instrument(future, self.span.clone())
    }

    /// Runs `future` in a span of its own, a child of the group's, for task `task`.
    #[cfg(feature = "tracing")]
    pub(crate) fn instrument_task<F>(
        &self,
        task: TaskId,
        future: F,
    ) -> tracing::instrument::Instrumented<F> {
        let span = tracing::info_span!(parent: &self.span, "task", task = task.as_u64());
        tracing::Instrument::instrument(future, span)
    }

    #[cfg(not(feature = "tracing"))]
    pub(crate) fn instrument<F>(&self, future: F) -> F {
        future
    }

    #[cfg(not(feature = "tracing"))]
    pub(crate) fn instrument_task<F>(&self, _task: TaskId, future: F) -> F {
        future
    }
}
