//! Behaviour of the `tracing` feature: a span per group and per task, and a warning when a
//! failure is dropped unobserved.

#![cfg(feature = "tracing")]

use std::sync::{Arc, Mutex};

use errgroup::{Builder, Group};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// What the subscriber saw: spans as "name field=value ..." and events as "LEVEL message (in
/// span names)".
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<String>>>);

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Seen {
    fn on_new_span(&self, attrs: &Attributes<'_>, _id: &Id, _ctx: Context<'_, S>) {
        let mut fields = Fields(attrs.metadata().name().to_owned());
        attrs.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields(event.metadata().level().to_string());
        event.record(&mut fields);
        let scope: Vec<_> = ctx
            .event_scope(event)
            .into_iter()
            .flatten()
            .map(|span| span.name())
            .collect();
        self.0
            .lock()
            .unwrap()
            .push(format!("{} in {scope:?}", fields.0));
    }
}

fn seen_during(test: impl FnOnce()) -> Vec<String> {
    let seen = Seen::default();
    let subscriber = tracing_subscriber::registry().with(seen.clone());
    tracing::subscriber::with_default(subscriber, test);
    seen.0.lock().unwrap().clone()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
}

#[test]
fn every_group_and_task_runs_in_a_span_with_its_name_and_id() {
    let seen = seen_during(|| {
        runtime().block_on(async {
            let group = Builder::new().name("fetchers").build::<()>();
            group.spawn(async {
                tracing::info!("fetching");
                Ok(())
            });
            group.wait().await.expect("the task succeeds");
        });
    });
    assert!(
        seen.iter()
            .any(|line| line.starts_with("errgroup group=") && line.ends_with("name=\"fetchers\"")),
        "{seen:?}"
    );
    assert!(seen.contains(&"task task=0".to_owned()), "{seen:?}");
    assert!(
        seen.contains(&"INFO message=fetching in [\"task\", \"errgroup\"]".to_owned()),
        "{seen:?}"
    );
}

#[test]
fn each_task_of_a_limited_group_runs_in_its_own_span_inside_the_groups() {
    let seen = seen_during(|| {
        runtime().block_on(async {
            let group = Builder::new().limit(1).build::<()>();
            for n in 0..3 {
                group.spawn(async move {
                    tracing::info!(n, "working");
                    Ok(())
                });
            }
            group.wait().await.expect("every task succeeds");
        });
    });
    for n in 0..3 {
        assert!(seen.contains(&format!("task task={n}")), "{seen:?}");
        assert!(
            seen.contains(&format!(
                "INFO message=working n={n} in [\"task\", \"errgroup\"]"
            )),
            "{seen:?}"
        );
    }
}

#[test]
fn dropping_a_group_after_an_unobserved_failure_warns() {
    let seen = seen_during(|| {
        runtime().block_on(async {
            let group = Group::new();
            group.spawn(async { Err::<(), _>("nobody will see this") });
            group.token().cancelled().await;
            drop(group); // no wait
        });
    });
    assert!(
        seen.iter().any(|line| line.starts_with(&format!(
            "{} message=group dropped without wait",
            Level::WARN
        ))),
        "{seen:?}"
    );
}

#[test]
fn dropping_a_group_without_failure_does_not_warn() {
    let seen = seen_during(|| {
        runtime().block_on(async {
            let group = Group::<()>::new();
            group.spawn(async { Ok(()) });
            tokio::task::yield_now().await;
            drop(group);
        });
    });
    assert!(
        !seen.iter().any(|line| line.starts_with("WARN")),
        "{seen:?}"
    );
}
