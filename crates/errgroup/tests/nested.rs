//! Behaviour of nested groups: a tree of groups stops as one.

mod common;

use common::{LiveCounter, after};
use errgroup::{Error, Group};

#[tokio::test(start_paused = true)]
async fn a_failure_at_the_top_stops_every_group_below() {
    let root = Group::new();
    let handle = root.handle();
    let leaves = LiveCounter::default();
    let leaves_in_task = leaves.clone();
    root.spawn(async move {
        let child = handle.child().build::<&str>();
        let child_handle = child.handle();
        for _ in 0..3 {
            let alive = leaves_in_task.enter();
            let grandchild = child_handle.child().build::<&str>();
            grandchild.spawn_with_token(|token| async move {
                let _alive = alive;
                token.cancelled().await;
                Err::<(), _>("stopped")
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
    let child = parent.handle().child().build();
    child.spawn(async { Err::<(), _>("child failure") });
    assert!(child.wait().await.is_err());
    assert_eq!(parent.cause(), None);
    assert!(!parent.token().is_cancelled());
    assert!(parent.wait().await.is_ok());
}
