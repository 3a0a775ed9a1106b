//! Go's errgroup example `Pipeline`, ported: `MD5All`, from the Go blog's "Pipelines and
//! cancellation". It walks a directory tree, hashes its files with a bounded number of workers,
//! and stops everything on the first error. It prints one line per file, in `md5sum`'s format,
//! sorted by path.
//!
//! With no argument it hashes this repository, skipping `target/` and `.git/` (it skips
//! directories with those names in any tree).
//!
//! ```text
//! cargo run --example pipeline
//! cargo run --example pipeline -- crates --workers 4
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use clap::builder::RangedI64ValueParser;
use errgroup::{Builder, CancellationToken};
use md5::{Digest, Md5};
use tokio::sync::mpsc;
use tokio::time::Instant;
use walkdir::{DirEntry, WalkDir};

#[cfg(test)]
mod command_line;

/// An MD5 sum.
type Sum = [u8; 16];

/// What the walk sends to the hashing stage: a file's path, or the error that ends the walk.
type Found = Result<PathBuf, walkdir::Error>;

/// Why [`md5_all`] failed.
#[derive(Debug, thiserror::Error)]
enum Md5Error {
    /// The tree could not be walked: a directory could not be read, or a link leads nowhere.
    #[error(transparent)]
    Walk(#[from] walkdir::Error),
    /// A file could not be read.
    #[error("cannot read {}: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The caller cancelled the hashing before it was done.
    #[error("cancelled before every file was hashed")]
    Cancelled,
}

/// Reads every file in the tree under `root` and returns the MD5 sum of each, by path: Go's
/// `MD5All(ctx, root)`. At most `workers` files are read at once. Fails with the first error;
/// cancelling `cancel` stops the hashing.
///
/// Symbolic links are followed, so a link is hashed as the file it points to, and a link that
/// leads nowhere is an error. (Go's `filepath.Walk` skips links.)
async fn md5_all(
    root: &Path,
    workers: NonZeroUsize,
    cancel: &CancellationToken,
) -> Result<BTreeMap<PathBuf, Sum>, Md5Error> {
    // Stage 1: walk the tree on a thread of its own, as reading directories blocks. The channel
    // holds at most `workers` paths, so the walk never runs far ahead of the hashing; when the
    // channel is dropped (at the first error), the walker's next send fails and it stops.
    let (found, mut paths) = mpsc::channel(workers.get());
    let root = root.to_owned();
    tokio::task::spawn_blocking(move || walk(&root, &found));

    // Stage 2: a group with a limit, in place of Go's 20 digester goroutines: no more than
    // `workers` files are hashed at once, and `spawn_with_backpressure(..).await` (Go's `g.Go`
    // blocking under `SetLimit`) waits while a backlog of files already waits for a slot, so
    // the walk cannot run far ahead of the hashing. It stops waiting if the group is cancelled.
    let group = Builder::new().parent(cancel).limit(workers.get()).build();
    let mut sums = Vec::new();
    let mut walked = false;
    // Stop taking paths as soon as the group is cancelled: a worker failed, or the caller gave up.
    while let Some(next) = group.token().run_until_cancelled(paths.recv()).await {
        let Some(path) = next else {
            walked = true;
            break;
        };
        // A walk error: returning drops the group, which cancels its token and aborts the
        // workers (a file being hashed on the blocking pool finishes, and its sum is dropped).
        let path = path?;
        let sum = group.spawn_with_backpressure(digest(path.clone())).await;
        sums.push((path, sum));
    }

    // Stage 3: wait for the workers, then collect each sum from its handle. Go's version needs a
    // results channel and a goroutine to close it; the handles take their place.
    let outputs = match group.wait().await {
        Ok(outputs) if walked => outputs,
        Err(errgroup::Error::Task { error, .. }) => return Err(error),
        // Cancelled by the caller: after the last worker ended, or before.
        _ => return Err(Md5Error::Cancelled),
    };
    Ok(sums
        .into_iter()
        .map(|(path, sum)| (path, outputs.take(sum)))
        .collect())
}

/// Sends the path of every file under `root` to `found`, or the error that ends the walk.
/// Runs on a blocking thread; returns when the walk is done or `found` is closed.
fn walk(root: &Path, found: &mpsc::Sender<Found>) {
    let entries = WalkDir::new(root)
        .follow_links(true)
        .into_iter()
        .filter_entry(|entry| !is_skipped(entry));
    for entry in entries {
        let next = match entry {
            Ok(entry) if entry.file_type().is_file() => Ok(entry.into_path()),
            Ok(_) => continue, // a directory
            Err(error) => Err(error),
        };
        let failed = next.is_err();
        if found.blocking_send(next).is_err() || failed {
            return;
        }
    }
}

/// Whether the walk leaves out `entry`: a directory named `.git` or `target` below the root.
fn is_skipped(entry: &DirEntry) -> bool {
    entry.depth() > 0
        && entry.file_type().is_dir()
        && matches!(entry.file_name().to_str(), Some(".git" | "target"))
}

/// Reads the file at `path` and returns its MD5 sum.
async fn digest(path: PathBuf) -> Result<Sum, Md5Error> {
    // Reading and hashing block the thread: run them on tokio's blocking pool, so the workers
    // that run the tasks stay free.
    let hashing = tokio::task::spawn_blocking(move || match std::fs::read(&path) {
        Ok(contents) => Ok(Md5::digest(contents).into()),
        Err(error) => Err(Md5Error::Read { path, error }),
    });
    hashing
        .await
        .unwrap_or_else(|panicked| std::panic::resume_unwind(panicked.into_panic()))
}

/// Formats a sum as 32 lowercase hex digits, as `md5sum` does.
fn hex(sum: &Sum) -> String {
    sum.iter().fold(String::with_capacity(32), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

/// The most files `--workers` lets the example read at once. More would not hash faster (tokio's
/// blocking pool has 512 threads) and could run out of file descriptors (`ulimit -n` is often
/// 1024).
const MAX_WORKERS: i64 = 1024;

/// Prints the MD5 sum of every file in a tree, hashing several files at once.
#[derive(Debug, Parser)]
#[command(name = "pipeline")]
struct Args {
    /// The directory to hash [default: this repository].
    root: Option<PathBuf>,
    /// How many files to read and hash at once, from 1 to 1024.
    #[arg(
        long,
        default_value = "20",
        value_parser = RangedI64ValueParser::<usize>::new().range(1..=MAX_WORKERS),
        // So that -1 is refused as out of range, rather than taken for a flag.
        allow_negative_numbers = true
    )]
    workers: usize,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let workers = NonZeroUsize::new(args.workers).expect("clap keeps --workers at 1 or more");
    // The repository is the parent of this package's directory, wherever the command runs.
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).parent();
    let root = args
        .root
        .or_else(|| repository.map(Path::to_owned))
        .unwrap_or_else(|| PathBuf::from("."));
    let started = Instant::now();
    // Nobody cancels this token: it is Go's `context.Background()`.
    match md5_all(&root, workers, &CancellationToken::new()).await {
        Ok(sums) => {
            for (path, sum) in &sums {
                let path = path.strip_prefix(&root).unwrap_or(path);
                println!("{}  {}", hex(sum), path.display());
            }
            eprintln!(
                "{} files under {}, at most {} hashed at once, in {:.0?}",
                sums.len(),
                root.display(),
                workers,
                started.elapsed()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    /// Files with known contents and sums, and files in directories the walk skips.
    fn tree() -> tempfile::TempDir {
        let root = tempfile::tempdir().expect("a temporary directory");
        let files = [
            ("empty", ""),
            ("abc.txt", "abc"),
            ("sub/fox.txt", "The quick brown fox jumps over the lazy dog"),
            ("target/debug/skipped", "not hashed"),
            (".git/HEAD", "not hashed"),
        ];
        for (path, contents) in files {
            let path = root.path().join(path);
            fs::create_dir_all(path.parent().expect("a parent")).expect("create a directory");
            fs::write(path, contents).expect("write a file");
        }
        root
    }

    fn workers(n: usize) -> NonZeroUsize {
        NonZeroUsize::new(n).expect("not zero")
    }

    #[test]
    fn answers_help_and_refuses_unknown_flags() {
        command_line::assert_help_and_unknown_flags::<Args>();
    }

    #[test]
    fn workers_are_bounded_by_a_usage_error() {
        let args = Args::try_parse_from(["pipeline", "crates", "--workers", "1024"]);
        assert_eq!(args.expect("1024 workers are allowed").workers, 1024);
        for workers in ["0", "1025", "2305843009213693952", "-1", "many"] {
            let error = command_line::refused::<Args>(&["--workers", workers]);
            assert_eq!(error.exit_code(), 2, "{workers}");
            assert!(
                command_line::first_line(&error)
                    .starts_with(&format!("error: invalid value '{workers}' for '--workers")),
                "{error}"
            );
        }
        let error = command_line::refused::<Args>(&["--workers", "2305843009213693952"]);
        assert_eq!(
            command_line::first_line(&error),
            "error: invalid value '2305843009213693952' for '--workers <WORKERS>': \
             2305843009213693952 is not in 1..=1024"
        );
    }

    #[tokio::test]
    async fn hashes_every_file_and_skips_target_and_git() {
        let root = tree();
        let sums = md5_all(root.path(), workers(2), &CancellationToken::new())
            .await
            .expect("every file is readable");
        let sums: Vec<(String, String)> = sums
            .iter()
            .map(|(path, sum)| {
                let path = path.strip_prefix(root.path()).expect("under the root");
                (path.display().to_string(), hex(sum))
            })
            .collect();
        let expected = [
            ("abc.txt", "900150983cd24fb0d6963f7d28e17f72"),
            ("empty", "d41d8cd98f00b204e9800998ecf8427e"),
            ("sub/fox.txt", "9e107d9d372bb6826bd81d3542a419d6"),
        ];
        let expected = expected.map(|(path, sum)| (path.to_owned(), sum.to_owned()));
        assert_eq!(sums, expected);
    }

    #[tokio::test]
    async fn a_link_that_leads_nowhere_fails_the_walk() {
        let root = tree();
        let dangling = root.path().join("sub/dangling");
        std::os::unix::fs::symlink(root.path().join("nowhere"), &dangling).expect("a link");
        let error = md5_all(root.path(), workers(2), &CancellationToken::new())
            .await
            .expect_err("the link leads nowhere");
        let Md5Error::Walk(error) = error else {
            panic!("expected a walk error, got {error:?}");
        };
        assert_eq!(error.path(), Some(dangling.as_path()));
    }

    #[tokio::test]
    async fn a_root_that_does_not_exist_fails_the_walk() {
        let root = tempfile::tempdir().expect("a temporary directory");
        let missing = root.path().join("missing");
        let error = md5_all(&missing, workers(1), &CancellationToken::new())
            .await
            .expect_err("there is nothing to walk");
        assert!(matches!(error, Md5Error::Walk(_)), "{error:?}");
        assert!(error.to_string().contains("missing"), "{error}");
    }

    #[tokio::test]
    async fn a_cancelled_caller_gets_no_sums() {
        let root = tree();
        let cancel = CancellationToken::new();
        cancel.cancel();
        let error = md5_all(root.path(), workers(2), &cancel)
            .await
            .expect_err("cancelled");
        assert!(matches!(error, Md5Error::Cancelled), "{error:?}");
    }

    #[tokio::test]
    async fn an_unreadable_file_is_an_error_naming_it() {
        let root = tempfile::tempdir().expect("a temporary directory");
        let gone = root.path().join("gone");
        let error = digest(gone.clone()).await.expect_err("nothing to read");
        assert!(
            matches!(&error, Md5Error::Read { path, .. } if *path == gone),
            "{error:?}"
        );
        assert!(error.to_string().starts_with("cannot read "), "{error}");
    }
}
