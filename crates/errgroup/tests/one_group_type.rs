//! The snippet of the issue that made `Group<E>` one type: a helper over any group, a limit
//! chosen at run time, and `?` into `anyhow` and a boxed error.

use errgroup::{Builder, Group, TaskHandle};

fn spawn_squares(group: &Group<anyhow::Error>, n: u64) -> Vec<TaskHandle<u64>> {
    (0..n)
        .map(|i| group.spawn(async move { Ok(i * i) }))
        .collect()
}

async fn sum_of_squares(limit: Option<usize>) -> anyhow::Result<u64> {
    let mut builder = Builder::new();
    if let Some(n) = limit {
        builder = builder.limit(n);
    }
    let group: Group<anyhow::Error> = builder.build();
    let handles = spawn_squares(&group, 1000);
    let outputs = group.wait().await?;
    Ok(handles.into_iter().map(|h| outputs.take(h)).sum())
}

async fn boxed() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let group = Group::<std::io::Error>::new();
    group.spawn(async { Err::<(), _>(std::io::Error::other("boom")) });
    group.wait().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
// The snippet, kept as written.
#[allow(clippy::bool_assert_comparison)]
async fn one_group_type() {
    assert_eq!(sum_of_squares(None).await.unwrap(), 332_833_500);
    assert_eq!(sum_of_squares(Some(3)).await.unwrap(), 332_833_500);
    assert_eq!(
        boxed().await.unwrap_err().to_string().contains("boom"),
        true
    );
}
