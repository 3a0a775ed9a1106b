//! A tour of the `errgroup` crate on its own: spawn tasks and collect their values, fail fast on
//! the first error, and run a large batch through a limit.
//!
//! Run it with `cargo run --example tour`.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use errgroup::{Builder, Error, Group};
use tokio_util::sync::CancellationToken;

/// Pretends to download `name`, taking `millis`; stops early if the group is cancelled.
async fn download(name: &'static str, millis: u64, token: CancellationToken) -> io::Result<usize> {
    tokio::select! {
        () = tokio::time::sleep(Duration::from_millis(millis)) => {}
        // Without this branch the download would run to its end after a sibling failed.
        () = token.cancelled() => return Err(io::Error::other(format!("{name}: cancelled"))),
    }
    if name.starts_with("broken") {
        return Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            format!("{name}: connection reset"),
        ));
    }
    Ok(name.len() * 1_000)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. Spawn and collect: each spawn returns a handle; the wait's outputs redeem them.
    let group = Group::new();
    let index = group.spawn_with_token(|token| download("index.html", 50, token));
    let style = group.spawn_with_token(|token| download("style.css", 80, token));
    let outputs = group.wait().await?;
    println!(
        "spawn:     downloaded {} + {} bytes",
        outputs.take(index),
        outputs.take(style)
    );

    // 2. Fail fast: the broken download fails after 100 ms and cancels the slow one, so the
    //    wait returns after 100 ms instead of 5 s.
    let started = Instant::now();
    let group = Group::new();
    group.spawn_with_token(|token| download("video.mp4", 5_000, token));
    group.spawn_with_token(|token| download("broken-link", 100, token));
    match group.wait().await {
        Err(Error::Task { error, .. }) => println!(
            "fail fast: {error} (after {} ms, the slow download was cancelled)",
            started.elapsed().as_millis()
        ),
        other => return Err(format!("expected a failure, got {other:?}").into()),
    }

    // 3. Limit: 1,000 tasks, at most 8 at once; `spawn(..).await` holds the producer back, so
    //    it never holds more than 8 unstarted tasks either.
    let group = Builder::new().limit(8).build::<io::Error>();
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    for _ in 0..1_000 {
        let (running, most) = (Arc::clone(&running), Arc::clone(&most));
        group
            .spawn(async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(1)).await;
                running.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            })
            .await;
    }
    group.wait().await?;
    println!(
        "limit:     1000 tasks ran, at most {} at once",
        most.load(Ordering::SeqCst)
    );
    Ok(())
}
