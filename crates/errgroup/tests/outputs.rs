//! Behaviour of `TaskHandle`, `TaskId` and `Outputs`: reading task values after a successful
//! wait.

use errgroup::{Builder, Group};

#[tokio::test(start_paused = true)]
async fn takes_values_of_different_types() {
    let group = Group::<()>::new();
    let name = group.spawn(async { Ok(String::from("Alice")) });
    let orders = group.spawn(async { Ok(5_u8) });
    let unit = group.spawn(async { Ok(()) });

    let outputs = group.wait().await.expect("every task succeeds");
    assert_eq!(outputs.take(name), "Alice");
    assert_eq!(outputs.take(orders), 5);
    outputs.take(unit);
}

#[tokio::test(start_paused = true)]
async fn takes_the_values_of_a_limited_groups_tasks() {
    let group = Builder::new().limit(2).build::<()>();
    let squares: Vec<_> = (0..100_u64)
        .map(|n| group.spawn(async move { Ok(n * n) }))
        .collect();
    let outputs = group.wait().await.expect("every task succeeds");
    let values: Vec<u64> = squares.into_iter().map(|task| outputs.take(task)).collect();
    assert_eq!(values, (0..100).map(|n| n * n).collect::<Vec<_>>());
}

#[tokio::test(start_paused = true)]
#[should_panic(expected = "this task handle belongs to another group")]
async fn taking_a_handle_of_another_group_panics() {
    let first = Group::<()>::new();
    let second = Group::<()>::new();
    let from_first = first.spawn(async { Ok(1) });
    second.spawn(async { Ok(2) });

    let _ = first.wait().await;
    let outputs = second.wait().await.expect("the task succeeds");
    outputs.take(from_first);
}

#[tokio::test(start_paused = true)]
async fn ids_count_spawns_in_order() {
    let group = Group::<()>::new();
    let ids: Vec<u64> = (0..5)
        .map(|_| group.spawn(async { Ok(()) }).id().as_u64())
        .collect();
    assert_eq!(ids, [0, 1, 2, 3, 4]);
}

#[tokio::test(start_paused = true)]
async fn ids_count_every_spawn_method_and_start_again_in_each_group() {
    let group = Builder::new().limit(1).build::<()>();
    let first = group.try_spawn(async { Ok(()) }).expect("a slot is free");
    let second = group.spawn(async { Ok(()) });
    let third = group.handle().spawn(async { Ok(()) }).expect("open");
    let fourth = group.spawn_with_backpressure(async { Ok(()) }).await;
    let ids: Vec<u64> = [first.id(), second.id(), third.id(), fourth.id()]
        .into_iter()
        .map(errgroup::TaskId::as_u64)
        .collect();
    assert_eq!(ids, [0, 1, 2, 3]);

    let other = Group::<()>::new();
    assert_eq!(other.spawn(async { Ok(()) }).id().as_u64(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_task_id_displays_as_task_and_its_number() {
    let group = Group::<()>::new();
    let ids: Vec<String> = (0..4)
        .map(|_| group.spawn(async { Ok(()) }).id().to_string())
        .collect();
    assert_eq!(ids.last().map(String::as_str), Some("task 3"));
}

#[tokio::test(start_paused = true)]
async fn dropping_a_handle_leaves_its_task_running_and_counted() {
    let group = Group::<()>::new();
    let (sender, receiver) = tokio::sync::oneshot::channel();
    drop(group.spawn(async move {
        sender.send("ran").expect("the receiver waits");
        Ok(())
    }));
    group.wait().await.expect("the task succeeds");
    assert_eq!(receiver.await, Ok("ran"));
}
