//! A tour of the `errgroup` crate on its own: spawn tasks and collect their values, fail fast on
//! the first error, and run a large batch through a limit.
//!
//! Run it with `cargo run --example tour`.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use clap::Parser;
use errgroup::{Builder, Error, Group};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

#[cfg(test)]
mod command_line;

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

/// Tours the errgroup crate: spawn tasks and collect their values, fail fast on the first
/// error, and run a large batch through a limit.
#[derive(Debug, Parser)]
#[command(name = "tour")]
struct Args {}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // No options: parsing answers `--help`, and refuses anything else with a usage error.
    Args::parse();

    let (index, style) = spawn_and_collect().await?;
    println!("spawn:     downloaded {index} + {style} bytes");

    let (error, elapsed) = fail_fast().await?;
    println!(
        "fail fast: {error} (after {} ms, the slow download was cancelled)",
        elapsed.as_millis()
    );

    let most = limit().await?;
    println!("limit:     1000 tasks ran, at most {most} at once");
    Ok(())
}

/// 1. Spawn and collect: each spawn returns a handle; the wait's outputs redeem them.
async fn spawn_and_collect() -> Result<(usize, usize), Error<io::Error>> {
    let group = Group::new();
    let index = group.spawn_with_token(|token| download("index.html", 50, token));
    let style = group.spawn_with_token(|token| download("style.css", 80, token));
    let outputs = group.wait().await?;
    Ok((outputs.take(index), outputs.take(style)))
}

/// 2. Fail fast: the broken download fails after 100 ms and cancels the slow one, so the wait
///    returns after 100 ms instead of 5 s. Returns the error and the time the wait took.
async fn fail_fast() -> Result<(io::Error, Duration), String> {
    let started = Instant::now();
    let group = Group::new();
    group.spawn_with_token(|token| download("video.mp4", 5_000, token));
    group.spawn_with_token(|token| download("broken-link", 100, token));
    match group.wait().await {
        Err(Error::Task { error, .. }) => Ok((error, started.elapsed())),
        other => Err(format!("expected a failure, got {other:?}")),
    }
}

/// 3. Limit: 1,000 tasks, at most 8 at once. Returns how many ran at once at most.
async fn limit() -> Result<usize, Error<io::Error>> {
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
    Ok(most.load(Ordering::SeqCst))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_help_and_refuses_unknown_flags() {
        command_line::assert_help_and_unknown_flags::<Args>();
    }

    #[tokio::test(start_paused = true)]
    async fn collects_the_value_of_each_download() {
        let sizes = spawn_and_collect().await.expect("both downloads succeed");
        assert_eq!(
            sizes,
            ("index.html".len() * 1_000, "style.css".len() * 1_000)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_broken_download_fails_the_wait_at_once() {
        let (error, elapsed) = fail_fast().await.expect("the wait fails");
        assert_eq!(error.kind(), io::ErrorKind::ConnectionReset);
        assert_eq!(error.to_string(), "broken-link: connection reset");
        // The broken link's 100 ms, not the video's 5 s.
        assert_eq!(elapsed, Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn never_runs_more_than_the_limit_at_once() {
        let most = limit().await.expect("every task succeeds");
        assert!((1..=8).contains(&most), "{most} ran at once");
    }
}
