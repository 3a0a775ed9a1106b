//! Properties of `Group` over random mixes of delays, successes, errors and panics, with and
//! without a limit, on tokio's paused clock.

mod common;

use std::panic;
use std::sync::{Arc, Mutex, Once};

use common::{LiveCounter, ms, panic_message};
use errgroup::{Builder, TaskHandle};
use proptest::prelude::*;
use tokio_util::sync::CancellationToken;

/// The prefix of every panic these tasks raise on purpose.
const TASK_PANIC: &str = "planned task panic";

#[derive(Clone, Copy, Debug)]
enum Ending {
    Success,
    Failure,
    Panic,
}

#[derive(Clone, Copy, Debug)]
struct Plan {
    delay_ms: u64,
    ending: Ending,
    watches_token: bool,
}

#[derive(Debug, PartialEq)]
enum TaskError {
    Failed(usize),
    Cancelled,
}

fn plan() -> impl Strategy<Value = Plan> {
    (
        0..50_u64,
        prop_oneof![6 => Just(Ending::Success), 3 => Just(Ending::Failure), 1 => Just(Ending::Panic)],
        any::<bool>(),
    )
        .prop_map(|(delay_ms, ending, watches_token)| Plan {
            delay_ms,
            ending,
            watches_token,
        })
}

/// What the tasks did, in the order they did it: (task index, its ending) for each task that
/// failed or panicked of its own plan.
type Log = Arc<Mutex<Vec<(usize, Ending)>>>;

async fn run(
    index: usize,
    plan: Plan,
    token: CancellationToken,
    counter: LiveCounter,
    log: Log,
) -> Result<usize, TaskError> {
    let _alive = counter.enter();
    let sleep = tokio::time::sleep(ms(plan.delay_ms));
    if plan.watches_token {
        tokio::select! {
            () = sleep => {}
            () = token.cancelled() => return Err(TaskError::Cancelled),
        }
    } else {
        sleep.await;
    }
    match plan.ending {
        Ending::Success => Ok(index),
        Ending::Failure => {
            log.lock().unwrap().push((index, Ending::Failure));
            Err(TaskError::Failed(index))
        }
        Ending::Panic => {
            log.lock().unwrap().push((index, Ending::Panic));
            panic!("{TASK_PANIC} in task {index}");
        }
    }
}

/// Keeps the planned panics out of the test output; other panics print as usual.
fn silence_planned_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let planned = info
                .payload()
                .downcast_ref::<String>()
                .is_some_and(|m| m.starts_with(TASK_PANIC));
            if !planned {
                default(info);
            }
        }));
    });
}

/// Runs `plans` in a group with `limit`, which keeps every error if `keep_all_errors`, and
/// checks what `wait_all` returns against what the tasks did.
fn check(
    plans: Vec<Plan>,
    limit: Option<usize>,
    keep_all_errors: bool,
) -> Result<(), TestCaseError> {
    silence_planned_panics();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a runtime");
    let counter = LiveCounter::default();
    let log = Log::default();
    let (waited, handles) = runtime.block_on(async {
        let mut builder = Builder::new();
        if let Some(limit) = limit {
            builder = builder.limit(limit);
        }
        if keep_all_errors {
            builder = builder.keep_all_errors();
        }
        let group = builder.build();
        let handles: Vec<TaskHandle<usize>> = plans
            .iter()
            .enumerate()
            .map(|(index, plan)| {
                let token = group.token().clone();
                group.spawn(run(index, *plan, token, counter.clone(), Arc::clone(&log)))
            })
            .collect();
        (tokio::spawn(group.wait_all()).await, handles)
    });

    // Every task ended, and the limit held.
    prop_assert_eq!(counter.live(), 0);
    if let Some(limit) = limit {
        prop_assert!(counter.most() <= limit);
    }

    let log = log.lock().unwrap().clone();
    let first_panic = log
        .iter()
        .find(|(_, ending)| matches!(ending, Ending::Panic));
    let failures: Vec<TaskError> = log
        .iter()
        .map(|(index, _)| TaskError::Failed(*index))
        .collect();
    let first_failure = log.first();
    match (waited, first_panic, first_failure) {
        // A panic is never swallowed: the first one resumes at `wait`.
        (Err(join_error), Some((index, _)), _) => {
            prop_assert_eq!(
                panic_message(join_error.into_panic()),
                format!("{TASK_PANIC} in task {index}")
            );
        }
        // Otherwise `wait_all` returns every error in the order they happened, or the
        // earliest alone.
        (Ok(Err(errors)), None, Some(_)) => {
            let errors: Vec<TaskError> = errors
                .into_iter()
                .map(|error| error.into_task_error().expect("only tasks fail"))
                .collect();
            if keep_all_errors {
                prop_assert_eq!(errors, failures);
            } else {
                prop_assert_eq!(errors, &failures[..1]);
            }
        }
        // With no failure, every task ran and its value comes out.
        (Ok(Ok(outputs)), None, None) => {
            prop_assert_eq!(counter.started(), plans.len());
            for (index, handle) in handles.into_iter().enumerate() {
                prop_assert_eq!(outputs.take(handle), index);
            }
        }
        (waited, first_panic, first_failure) => {
            prop_assert!(
                false,
                "wait gave {waited:?}; first panic {first_panic:?}, first failure {first_failure:?}"
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    #[cfg_attr(miri, ignore = "too slow: 128 random cases of up to 24 tasks")]
    fn unlimited_group_reports_the_earliest_failure_and_ends_every_task(plans in prop::collection::vec(plan(), 0..24)) {
        check(plans, None, false)?;
    }

    #[test]
    #[cfg_attr(miri, ignore = "too slow: 128 random cases of up to 24 tasks")]
    fn limited_group_holds_its_limit_and_reports_the_earliest_failure(
        plans in prop::collection::vec(plan(), 0..24),
        limit in 1..5_usize,
    ) {
        check(plans, Some(limit), false)?;
    }

    #[test]
    #[cfg_attr(miri, ignore = "too slow: 128 random cases of up to 24 tasks")]
    fn group_that_keeps_all_errors_reports_every_failure_in_order(
        plans in prop::collection::vec(plan(), 0..24),
        limit in prop::option::of(1..5_usize),
    ) {
        check(plans, limit, true)?;
    }
}
