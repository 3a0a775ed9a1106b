//! Behaviour of `TaskHandle` and `Outputs`: reading task values after a successful wait.

use errgroup::Group;

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
#[should_panic(expected = "this task never ran: it was spawned after its group had finished")]
async fn taking_a_handle_spawned_after_the_wait_panics() {
    let group = Group::<()>::new();
    let handle = group.handle();
    let outputs = group.wait().await.expect("no tasks");
    let late = handle.spawn(async { Ok(1) });
    outputs.take(late);
}
