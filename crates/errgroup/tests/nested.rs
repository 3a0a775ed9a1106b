//! Behaviour of nested groups: a group built with `Builder::parent` under another group's
//! token, so that a tree of groups stops as one.

mod common;

use common::{LiveCounter, after, fails_when_cancelled, hang_guard};
use errgroup::{Builder, Cause, Error, Group};

#[tokio::test(start_paused = true)]
async fn a_failure_at_the_top_stops_every_group_below() {
    let root = Group::new();
    let handle = root.handle();
    let leaves = LiveCounter::default();
    let leaves_in_task = leaves.clone();
    root.spawn(async move {
        let child = Builder::new().parent(handle.token()).build::<&str>();
        for _ in 0..3 {
            let alive = leaves_in_task.enter();
            let grandchild = Builder::new().parent(child.token()).build::<&str>();
            let token = grandchild.token().clone();
            grandchild.spawn(async move {
                let _alive = alive;
                fails_when_cancelled::<()>(token).await
            });
            child.spawn(async move {
                grandchild
                    .wait()
                    .await
                    .map(drop)
                    .map_err(|_| "grandchild stopped")
            });
        }
        child.wait().await.map(drop).map_err(|_| "child stopped")
    });
    root.spawn(after::<(), _>(10, Err("root failure")));

    assert!(matches!(
        root.wait().await,
        Err(Error::Task {
            error: "root failure",
            ..
        })
    ));
    assert_eq!(leaves.live(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_child_failing_does_not_cancel_its_parent_by_itself() {
    let parent = Group::<()>::new();
    let child = Builder::new().parent(parent.token()).build();
    child.spawn(async { Err::<(), _>("child failure") });
    assert!(child.wait().await.is_err());
    assert_eq!(parent.cause(), None);
    assert!(!parent.token().is_cancelled());
    assert!(parent.wait().await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn an_inner_group_reports_that_its_parent_was_cancelled() {
    let outer = Group::<&str>::new();
    let inner = Builder::new().parent(outer.token()).build::<&str>();
    inner.spawn(fails_when_cancelled::<()>(inner.token().clone()));
    outer.spawn(async { Err::<(), _>("outer failure") });

    assert_eq!(
        inner.wait().await.unwrap_err(),
        Error::Cancelled {
            cause: Cause::ParentCancelled
        }
    );
    assert_eq!(
        outer.wait().await.unwrap_err().task_error(),
        Some(&"outer failure")
    );
}

/// How many times the multi-thread tests repeat a race.
const ROUNDS: usize = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "too slow: repeats a race on the multi-thread runtime")]
async fn a_failing_task_of_an_inner_group_ends_its_wait_on_the_multi_thread_runtime() {
    for _ in 0..ROUNDS {
        let outer = Group::<&str>::new();
        let outer_token = outer.token().clone();
        let inner_ended = outer.spawn(async move {
            let inner = Builder::new().parent(&outer_token).build::<&str>();
            for _ in 0..3 {
                inner.spawn(fails_when_cancelled::<()>(inner.token().clone()));
            }
            inner.spawn(async { Err::<(), _>("inner failure") });
            Ok(inner.wait().await.map(drop))
        });
        let outputs = hang_guard("the outer wait", outer.wait())
            .await
            .expect("the outer group does not fail");
        let inner = outputs.take(inner_ended).unwrap_err();
        assert_eq!(inner.task_error(), Some(&"inner failure"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "too slow: repeats a race on the multi-thread runtime")]
async fn an_outer_failure_cancels_the_inner_groups_on_the_multi_thread_runtime() {
    for _ in 0..ROUNDS {
        let outer = Group::<&str>::new();
        let leaves = LiveCounter::default();
        for _ in 0..3 {
            let outer_token = outer.token().clone();
            let leaves = leaves.clone();
            outer.spawn(async move {
                let inner = Builder::new().parent(&outer_token).limit(2).build::<&str>();
                for _ in 0..3 {
                    let alive = leaves.enter();
                    let token = inner.token().clone();
                    inner.spawn(async move {
                        let _alive = alive;
                        fails_when_cancelled::<()>(token).await
                    });
                }
                match inner.wait().await {
                    Err(Error::Cancelled {
                        cause: Cause::ParentCancelled,
                    }) => Err::<(), _>("inner group stopped by the outer failure"),
                    other => panic!("unexpected {other:?}"),
                }
            });
        }
        outer.spawn(async {
            tokio::task::yield_now().await;
            Err::<(), _>("outer failure")
        });

        let error = hang_guard("the outer wait", outer.wait())
            .await
            .unwrap_err();
        assert_eq!(error.task_error(), Some(&"outer failure"));
        assert_eq!(leaves.live(), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "too slow: repeats a race on the multi-thread runtime")]
async fn dropping_the_outer_group_stops_the_inner_groups_on_the_multi_thread_runtime() {
    for _ in 0..ROUNDS {
        let outer = Group::<()>::new();
        let leaves = LiveCounter::default();
        let outer_token = outer.token().clone();
        let leaves_in_task = leaves.clone();
        outer.spawn(async move {
            let inner = Builder::new().parent(&outer_token).build::<()>();
            for _ in 0..3 {
                let alive = leaves_in_task.enter();
                inner.spawn(async move {
                    let _alive = alive;
                    std::future::pending::<Result<(), ()>>().await
                });
            }
            inner.wait().await.map(drop).map_err(drop)
        });
        tokio::task::yield_now().await;
        drop(outer);
        // The outer task is aborted, which drops the inner group, which aborts its tasks.
        hang_guard("dropping the inner tasks", leaves.none_live()).await;
    }
}
