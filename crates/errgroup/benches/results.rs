//! Workload 4, results: 100,000 tasks each return a `u64`, collected in spawn order through
//! each implementation's own result mechanism (`TaskHandle` + `Outputs`, the values `Scope::wait`
//! returns in spawn order, `JoinHandle`, and a `JoinSet` whose tasks return their index with
//! their value).

mod common;

use std::hint::black_box;

use common::{ERRGROUP, Failed, JOINSET, SCOPE, TOKIO_SPAWN, bench, joined, timed};
use criterion::Criterion;
use errgroup::{Group, Scope};
use tokio::task::JoinSet;

const TASKS: u64 = 100_000;

async fn errgroup() -> Vec<u64> {
    let group = Group::<Failed>::new();
    let handles: Vec<_> = (0..TASKS)
        .map(|n| group.spawn(async move { Ok(n * 2) }))
        .collect();
    let outputs = group.wait().await.expect("every task succeeds");
    handles.into_iter().map(|task| outputs.take(task)).collect()
}

async fn scope() -> Vec<u64> {
    let mut scope = Scope::new();
    for n in 0..TASKS {
        scope.spawn(async move { Ok::<_, Failed>(n * 2) });
    }
    scope.wait().await.expect("every task succeeds")
}

async fn tokio_spawn() -> Vec<u64> {
    let handles: Vec<_> = (0..TASKS)
        .map(|n| tokio::spawn(async move { Ok::<_, Failed>(n * 2) }))
        .collect();
    let mut values = Vec::with_capacity(handles.len());
    for handle in handles {
        values.push(joined(handle.await).expect("every task succeeds"));
    }
    values
}

async fn joinset() -> Vec<u64> {
    let mut set = JoinSet::new();
    for n in 0..TASKS {
        set.spawn(async move { Ok::<_, Failed>((n, n * 2)) });
    }
    let mut values = vec![0; set.len()];
    while let Some(result) = set.join_next().await {
        let (n, value) = joined(result).expect("every task succeeds");
        values[usize::try_from(n).expect("an index fits")] = value;
    }
    values
}

fn results(c: &mut Criterion) {
    let rt = common::runtime();
    let mut group = common::group(c, "results");
    bench(&mut group, &rt, ERRGROUP, TASKS, TASKS, || {
        timed(async {
            black_box(errgroup().await);
        })
    });
    bench(&mut group, &rt, SCOPE, TASKS, TASKS, || {
        timed(async {
            black_box(scope().await);
        })
    });
    bench(&mut group, &rt, TOKIO_SPAWN, TASKS, TASKS, || {
        timed(async {
            black_box(tokio_spawn().await);
        })
    });
    bench(&mut group, &rt, JOINSET, TASKS, TASKS, || {
        timed(async {
            black_box(joinset().await);
        })
    });
    group.finish();
}

fn main() {
    common::run(results);
}
