//! A tour of the `errgroup` crate on its own: spawn tasks and collect their values, fail fast on
//! the first error, run a large batch through a limit, and let tasks borrow a local with a
//! `Scope`.
//!
//! Run it with `cargo run --example tour`.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use clap::Parser;
use errgroup::{Builder, CancellationToken, Error, Group, Scope};
use tokio::time::Instant;

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
/// error, run a large batch through a limit, and let tasks borrow a local with a scope.
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

    let (words, elapsed) = scope().await?;
    println!(
        "scope:     {words:?} words per page, in {} ms, borrowed from a local",
        elapsed.as_millis()
    );
    Ok(())
}

/// 1. Spawn and collect: each spawn returns a handle; the wait's outputs redeem them.
async fn spawn_and_collect() -> Result<(usize, usize), Error<io::Error>> {
    let group = Group::new();
    // A task must own what it uses, so each gets its own clone of the group's token.
    let index = group.spawn(download("index.html", 50, group.token().clone()));
    let style = group.spawn(download("style.css", 80, group.token().clone()));
    let outputs = group.wait().await?;
    Ok((outputs.take(index), outputs.take(style)))
}

/// 2. Fail fast: the broken download fails after 100 ms and cancels the slow one, so the wait
///    returns after 100 ms instead of 5 s. Returns the error and the time the wait took.
async fn fail_fast() -> Result<(io::Error, Duration), String> {
    let started = Instant::now();
    let group = Group::new();
    // The handles are not kept: a failing group has no values to redeem them for.
    group.spawn(download("video.mp4", 5_000, group.token().clone()));
    group.spawn(download("broken-link", 100, group.token().clone()));
    match group.wait().await {
        Err(Error::Task { error, .. }) => Ok((error, started.elapsed())),
        other => Err(format!("expected a failure, got {other:?}")),
    }
}

/// 3. Limit: 1,000 tasks, at most 8 at once. Returns how many ran at once at most.
///
/// `spawn_with_backpressure(..).await` is Go's `g.Go` under `SetLimit`: it holds the producer
/// back while a backlog of tasks already waits for a slot, so a long batch is not queued all at
/// once. (`spawn` would queue every task at once; `try_spawn` would hand the task back.)
async fn limit() -> Result<usize, Error<io::Error>> {
    let group = Builder::new().limit(8).build::<io::Error>();
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    for _ in 0..1_000 {
        let (running, most) = (Arc::clone(&running), Arc::clone(&most));
        group
            .spawn_with_backpressure(async move {
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

/// 4. Scope: tasks that borrow. `pages` is a local of this function, which a `Group`'s tasks
///    could not borrow: they run on the runtime and may outlive the function, so they must be
///    `'static`. A `Scope`'s tasks run inside `scope.wait()`, which ends before `pages` does, so
///    each task borrows its page: no clone, no `Arc`. Returns the pages' word counts, in the
///    pages' order, and the time the wait took.
async fn scope() -> Result<(Vec<usize>, Duration), Error<io::Error>> {
    let pages = vec![
        String::from("the quick brown fox"),
        String::from("jumps over"),
        String::from("the lazy dog"),
    ];
    let started = Instant::now();
    let mut scope = Scope::new();
    for page in &pages {
        scope.spawn(async move {
            // Longer pages take longer to "read", so the tasks end out of order: the values
            // still come back in spawn order, and the wait takes the longest read, not the sum.
            tokio::time::sleep(Duration::from_millis(10 * page.len() as u64)).await;
            Ok::<_, io::Error>(page.split_whitespace().count())
        });
    }
    let words = scope.wait().await?;
    Ok((words, started.elapsed()))
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

    #[tokio::test(start_paused = true)]
    async fn the_scope_counts_each_borrowed_page_in_order_concurrently() {
        let (words, elapsed) = scope().await.expect("counting words cannot fail");
        assert_eq!(words, [4, 2, 3]);
        // The longest page's 190 ms, not 190 + 100 + 120.
        assert_eq!(elapsed, Duration::from_millis(190));
    }
}
