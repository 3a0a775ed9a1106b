//! Go's errgroup example `Parallel`, ported: the "Google Search 2.0" of the Go concurrency
//! talk. A query goes to several search backends at once, and their results are combined in a
//! fixed order, whatever order they answer in. If one backend fails, the others are cancelled
//! and the search returns that error at once.
//!
//! The backends are fakes that take a while to answer (web 300 ms, image 100 ms, video 200 ms),
//! so the whole search takes as long as the slowest one, not the sum.
//!
//! ```text
//! cargo run --example parallel
//! cargo run --example parallel -- rust
//! cargo run --example parallel -- rust --fail image
//! ```

use std::fmt;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use errgroup::{CancellationToken, Group};
use tokio::time::Instant;

#[cfg(test)]
mod command_line;

/// A search backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Kind {
    Web,
    Image,
    Video,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Web => "web",
            Kind::Image => "image",
            Kind::Video => "video",
        })
    }
}

/// Why a search failed.
#[derive(Debug, PartialEq, thiserror::Error)]
enum SearchError {
    /// The backend could not answer.
    #[error("{kind} search for {query:?} failed: backend unavailable")]
    Unavailable { kind: Kind, query: String },
    /// The group was cancelled before the backend answered. The group never reports this: it
    /// keeps the error that caused the cancellation.
    #[error("{kind} search cancelled")]
    Cancelled { kind: Kind },
}

/// A fake search backend, Go's `fakeSearch(kind)`: it answers after its latency, or fails.
#[derive(Debug, Clone)]
struct Backend {
    kind: Kind,
    latency: Duration,
    fails: bool,
}

impl Backend {
    fn new(kind: Kind, latency: Duration) -> Self {
        Self {
            kind,
            latency,
            fails: false,
        }
    }

    /// Searches for `query`, unless `token` is cancelled first; prints when it ends.
    async fn search(&self, query: &str, token: CancellationToken) -> Result<String, SearchError> {
        let kind = self.kind;
        // The wait stands for a real backend's work. Racing it against the token is what lets
        // a sibling's failure stop this search early.
        if token
            .run_until_cancelled(tokio::time::sleep(self.latency))
            .await
            .is_none()
        {
            println!("   {kind}: cancelled");
            return Err(SearchError::Cancelled { kind });
        }
        if self.fails {
            println!("   {kind}: failed after {:?}", self.latency);
            let query = query.to_owned();
            return Err(SearchError::Unavailable { kind, query });
        }
        println!("   {kind}: answered after {:?}", self.latency);
        Ok(format!("{kind} result for {query:?}"))
    }
}

/// Google Search 2.0: queries every backend concurrently and returns their results in the
/// backends' order, or the first error. Cancelling `cancel` stops the search, as cancelling
/// the `ctx` of Go's `Google(ctx, query)` does.
async fn google(
    query: &str,
    backends: &[Backend],
    cancel: &CancellationToken,
) -> Result<Vec<String>, errgroup::Error<SearchError>> {
    let group = Group::with_parent(cancel);
    // Spawned tasks must own their data: share one copy of the query instead of borrowing it.
    let query: Arc<str> = Arc::from(query);
    let searches: Vec<_> = backends
        .iter()
        .map(|backend| {
            let (backend, query) = (backend.clone(), Arc::clone(&query));
            let token = group.token().clone();
            group.spawn(async move { backend.search(&query, token).await })
        })
        .collect();
    // Go's tasks write `results[i]`; here each value comes back through its task's handle, so
    // the results are in the backends' order with no shared slice.
    let outputs = group.wait().await?;
    Ok(searches
        .into_iter()
        .map(|search| outputs.take(search))
        .collect())
}

/// The backends the example queries: web, image and video, each with its own latency.
fn backends() -> [Backend; 3] {
    [
        Backend::new(Kind::Web, Duration::from_millis(300)),
        Backend::new(Kind::Image, Duration::from_millis(100)),
        Backend::new(Kind::Video, Duration::from_millis(200)),
    ]
}

/// Searches web, image and video backends concurrently, and prints their results in order.
#[derive(Debug, Parser)]
#[command(name = "parallel")]
struct Args {
    /// What to search for.
    #[arg(default_value = "golang")]
    query: String,
    /// Makes this backend fail instead of answering.
    #[arg(long, value_enum)]
    fail: Option<Kind>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let backends = backends().map(|backend| Backend {
        fails: args.fail == Some(backend.kind),
        ..backend
    });
    println!("searching {:?} on every backend at once", args.query);
    let started = Instant::now();
    // Nobody cancels this token: it is Go's `context.Background()`.
    match google(&args.query, &backends, &CancellationToken::new()).await {
        Ok(results) => {
            for result in &results {
                println!("{result}");
            }
            println!(
                "{} results in {:.0?}: the slowest backend's time, not the sum",
                results.len(),
                started.elapsed()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error} (after {:.0?})", started.elapsed());
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_help_and_refuses_unknown_flags() {
        command_line::assert_help_and_unknown_flags::<Args>();
    }

    #[test]
    fn takes_a_query_and_a_backend_to_fail() {
        let args = Args::try_parse_from(["parallel", "rust", "--fail", "image"]);
        let args = args.expect("a query and a backend");
        assert_eq!(
            (args.query.as_str(), args.fail),
            ("rust", Some(Kind::Image))
        );

        let error = command_line::refused::<Args>(&["--fail", "audio"]);
        assert_eq!(error.exit_code(), 2);
        assert_eq!(
            command_line::first_line(&error),
            "error: invalid value 'audio' for '--fail <FAIL>'"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn returns_results_in_the_backends_order_after_the_slowest() {
        let started = Instant::now();
        let results = google("golang", &backends(), &CancellationToken::new())
            .await
            .expect("every backend answers");
        assert_eq!(
            results,
            [
                r#"web result for "golang""#,
                r#"image result for "golang""#,
                r#"video result for "golang""#,
            ]
        );
        // Concurrent: the web backend's 300 ms, not 300 + 100 + 200.
        assert_eq!(started.elapsed(), Duration::from_millis(300));
    }

    #[tokio::test(start_paused = true)]
    async fn the_first_failure_cancels_the_other_backends() {
        let mut backends = backends();
        backends[1].fails = true; // image, which answers first, after 100 ms
        let started = Instant::now();
        let error = google("rust", &backends, &CancellationToken::new())
            .await
            .expect_err("the image backend fails");
        let errgroup::Error::Task { error, .. } = error else {
            panic!("expected a backend's error, got {error:?}");
        };
        let query = String::from("rust");
        assert_eq!(
            error,
            SearchError::Unavailable {
                kind: Kind::Image,
                query
            }
        );
        // Web and video were cancelled at once, not waited for.
        assert_eq!(started.elapsed(), Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn the_callers_cancellation_stops_the_search() {
        let cancel = CancellationToken::new();
        let canceller = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(150)).await;
            canceller.cancel();
        });
        let started = Instant::now();
        let error = google("golang", &backends(), &cancel)
            .await
            .expect_err("cancelled");
        let cause = errgroup::Cause::ParentCancelled;
        assert_eq!(error, errgroup::Error::Cancelled { cause });
        assert_eq!(started.elapsed(), Duration::from_millis(150));
    }
}
