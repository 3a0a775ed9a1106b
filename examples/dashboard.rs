//! The fail-fast data aggregator, run for real.
//!
//! With no flags, it plays the original's three stories and prints each outcome with the time
//! it took; with flags, it runs one aggregation and exits non-zero if it fails. Logs go to
//! stderr, filtered by `RUST_LOG` (default `info`).
//!
//! ```text
//! cargo run --example dashboard
//! cargo run --example dashboard -- --timeout 1s
//! cargo run --example dashboard -- --order-latency 100ms --fail order
//! RUST_LOG=debug cargo run --example dashboard -- --timeout 3s
//! ```

use std::error::Error as _;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use dashboard::{DashboardAggregator, Error, MockService};
use tokio::time::Instant;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

/// Fetches a profile and an order concurrently from mock services, and fails fast.
///
/// With no flags, plays the original's three stories.
#[derive(Debug, Parser)]
#[command(name = "dashboard")]
struct Args {
    /// The user whose dashboard to fetch.
    #[arg(long, default_value = "42")]
    id: String,
    /// How long the aggregation may take in all.
    #[arg(long, default_value_t = dashboard::DEFAULT_TIMEOUT.into())]
    timeout: humantime::Duration,
    /// How long the profile service takes to answer [default: 2s, as in the original].
    #[arg(long, value_parser = humantime::parse_duration)]
    profile_latency: Option<Duration>,
    /// How long the order service takes to answer [default: 500ms, as in the original].
    #[arg(long, value_parser = humantime::parse_duration)]
    order_latency: Option<Duration>,
    /// Makes this service fail, after its latency, instead of answering.
    #[arg(long, value_enum)]
    fail: Option<FailingService>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FailingService {
    Profile,
    Order,
}

/// One of the original's stories: what it shows, and the flags that play it.
struct Story {
    title: &'static str,
    flags: &'static [&'static str],
}

const STORIES: [Story; 3] = [
    Story {
        title: "the profile takes 2s, longer than the timeout: the call fails at the deadline",
        flags: &["--timeout", "1s"],
    },
    Story {
        title: "both answer within the timeout: the call takes as long as the slower service",
        flags: &["--timeout", "3s"],
    },
    Story {
        title: "the order fails after 100ms: the call fails then, and the profile fetch is stopped",
        flags: &[
            "--timeout",
            "3s",
            "--order-latency",
            "100ms",
            "--fail",
            "order",
        ],
    },
];

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::builder()
                .with_default_directive(LevelFilter::INFO.into())
                .from_env_lossy(),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    if std::env::args_os().len() > 1 {
        return match run(&Args::parse()).await {
            Ok(dashboard) => {
                println!("{dashboard}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        };
    }
    for (number, story) in (1..).zip(&STORIES) {
        let args =
            Args::parse_from(std::iter::once("dashboard").chain(story.flags.iter().copied()));
        println!("{number}. {}", story.title);
        println!(
            "   $ cargo run --example dashboard -- {}",
            story.flags.join(" ")
        );
        let started = Instant::now();
        let outcome = run(&args).await;
        let elapsed = started.elapsed();
        match outcome {
            Ok(dashboard) => println!("   {dashboard}"),
            Err(error) => println!("   error: {error}"),
        }
        println!("   after {elapsed:.2?}\n");
    }
    ExitCode::SUCCESS
}

/// Builds the aggregator that `args` describe and runs one aggregation; an error comes back as
/// its whole chain of causes.
async fn run(args: &Args) -> Result<String, String> {
    let mut profile = MockService::profile();
    let mut order = MockService::order();
    if let Some(latency) = args.profile_latency {
        profile = profile.with_latency(latency);
    }
    if let Some(latency) = args.order_latency {
        order = order.with_latency(latency);
    }
    match args.fail {
        Some(FailingService::Profile) => profile = profile.failing_with("connection refused"),
        Some(FailingService::Order) => order = order.failing_with("connection refused"),
        None => {}
    }
    let aggregator = DashboardAggregator::builder(profile, order)
        .timeout(*args.timeout)
        .build()
        .map_err(|error| error.to_string())?;
    aggregator
        .aggregate(&args.id)
        .await
        .map_err(|error| with_causes(&error))
}

/// Formats `error` followed by its sources: "order service failed: connection refused".
fn with_causes(error: &Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
    message
}
