//! The fail-fast data aggregator, run for real.
//!
//! With no flags, it plays the original's three stories and prints each outcome with the time
//! it took; with flags, it runs one aggregation and exits 1 if it fails (2 if the flags are
//! wrong). Logs go to stderr, only when `RUST_LOG` asks for them: `info` logs each
//! aggregation's outcome (a failure at `error`).
//!
//! ```text
//! cargo run --example dashboard
//! cargo run --example dashboard -- --timeout 1s
//! cargo run --example dashboard -- --order-latency 100ms --fail order
//! RUST_LOG=info cargo run --example dashboard -- --timeout 3s
//! ```

use std::error::Error as _;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use dashboard::{CancellationToken, DashboardAggregator, Error, MockService};
use tokio::time::Instant;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

#[cfg(test)]
mod command_line;

/// Fetches a profile and an order concurrently from mock services, and fails fast.
///
/// With no flags, plays the original's three stories.
#[derive(Debug, Parser)]
#[command(name = "dashboard")]
struct Args {
    /// The user whose dashboard to fetch.
    #[arg(long, default_value = "42")]
    id: String,
    /// How long the aggregation may take in all, more than zero.
    // Hyphen values are let through to be refused by the parser, which says why: clap would
    // take "-1s" for a flag.
    #[arg(
        long,
        default_value_t = dashboard::DEFAULT_TIMEOUT.into(),
        value_parser = timeout,
        allow_hyphen_values = true
    )]
    timeout: humantime::Duration,
    /// How long the profile service takes to answer [default: 2s, as in the original].
    #[arg(long, value_parser = duration, allow_hyphen_values = true)]
    profile_latency: Option<Duration>,
    /// How long the order service takes to answer [default: 500ms, as in the original].
    #[arg(long, value_parser = duration, allow_hyphen_values = true)]
    order_latency: Option<Duration>,
    /// Makes this service fail, after its latency, instead of answering.
    #[arg(long, value_enum)]
    fail: Option<FailingService>,
}

/// Parses a duration such as "500ms", "2s" or "1m 30s"; says what one looks like if `text` is
/// not one.
fn duration(text: &str) -> Result<Duration, String> {
    match humantime::parse_duration(text.strip_prefix('-').unwrap_or(text)) {
        Ok(_) if text.starts_with('-') => Err("a duration cannot be negative".to_owned()),
        Ok(duration) => Ok(duration),
        Err(humantime::DurationError::NumberOverflow) => Err("the duration is too long".to_owned()),
        Err(_) => Err("expected a number with a unit, like 500ms or 2s".to_owned()),
    }
}

/// Parses the timeout: a [`duration`] greater than zero, as the aggregator's builder requires.
fn timeout(text: &str) -> Result<humantime::Duration, String> {
    match duration(text)? {
        timeout if timeout.is_zero() => Err(dashboard::BuildError::ZeroTimeout.to_string()),
        timeout => Ok(timeout.into()),
    }
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
                // Off by default: the stories' failures are expected, and logging them at
                // ERROR would mix them into the stories' output.
                .with_default_directive(LevelFilter::OFF.into())
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
    // Nobody cancels this token: it is Go's `context.Background()`.
    aggregator
        .aggregate(&args.id, &CancellationToken::new())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(flags: &[&str]) -> Args {
        Args::try_parse_from(std::iter::once("dashboard").chain(flags.iter().copied()))
            .unwrap_or_else(|error| panic!("{flags:?} refused: {error}"))
    }

    #[test]
    fn answers_help_and_refuses_unknown_flags() {
        command_line::assert_help_and_unknown_flags::<Args>();
    }

    #[test]
    fn every_storys_flags_are_accepted() {
        for story in &STORIES {
            parse(story.flags);
        }
    }

    #[test]
    fn reads_durations_with_their_units() {
        let args = parse(&["--timeout", "1m 30s", "--order-latency", "100ms"]);
        assert_eq!(*args.timeout, Duration::from_secs(90));
        assert_eq!(args.order_latency, Some(Duration::from_millis(100)));
        assert_eq!(args.profile_latency, None);
        assert_eq!(*parse(&[]).timeout, dashboard::DEFAULT_TIMEOUT);
    }

    #[test]
    fn a_bad_duration_is_a_usage_error_that_says_why() {
        let cases = [
            (
                &["--timeout", "0s"][..],
                "error: invalid value '0s' for '--timeout <TIMEOUT>': \
                 the timeout must be greater than zero",
            ),
            (
                &["--timeout", "-1s"],
                "error: invalid value '-1s' for '--timeout <TIMEOUT>': \
                 a duration cannot be negative",
            ),
            (
                &["--timeout", "banana"],
                "error: invalid value 'banana' for '--timeout <TIMEOUT>': \
                 expected a number with a unit, like 500ms or 2s",
            ),
            (
                &["--order-latency", "5"],
                "error: invalid value '5' for '--order-latency <ORDER_LATENCY>': \
                 expected a number with a unit, like 500ms or 2s",
            ),
            (
                &["--profile-latency", "99999999999999999999s"],
                "error: invalid value '99999999999999999999s' for \
                 '--profile-latency <PROFILE_LATENCY>': the duration is too long",
            ),
        ];
        for (flags, message) in cases {
            let error = command_line::refused::<Args>(flags);
            assert_eq!(error.exit_code(), 2, "{flags:?}");
            assert_eq!(command_line::first_line(&error), message);
        }
    }

    #[test]
    fn a_zero_latency_is_accepted() {
        assert_eq!(
            parse(&["--profile-latency", "0s"]).profile_latency,
            Some(Duration::ZERO)
        );
    }
}
