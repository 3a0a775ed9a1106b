//! Test helpers: what every example's command line does, checked the same way in each example.
//!
//! clap's `parse()` prints the error it returns and exits with `exit_code()`, so checking the
//! error checks what the program does: `--help` prints usage and exits 0, and a usage error
//! exits 2.

use std::fmt::Debug;

use clap::Parser;
use clap::error::ErrorKind;

/// Parses `args`, the words after the program's name, as the example's `Args`, and returns the
/// error the program would exit with.
///
/// # Panics
///
/// Panics if the arguments are accepted.
pub(crate) fn refused<Args: Parser + Debug>(args: &[&str]) -> clap::Error {
    let words = std::iter::once("example").chain(args.iter().copied());
    match Args::try_parse_from(words) {
        Ok(parsed) => panic!("expected {args:?} to be refused, got {parsed:?}"),
        Err(error) => error,
    }
}

/// The first line of what the program prints for `error`: "error: ..." for a usage error.
pub(crate) fn first_line(error: &clap::Error) -> String {
    let printed = error.to_string();
    printed.lines().next().unwrap_or_default().to_owned()
}

/// Checks that the example's `Args` are well formed, that `--help` prints usage and exits 0, and
/// that an unknown flag is a usage error: exit code 2.
pub(crate) fn assert_help_and_unknown_flags<Args: Parser + Debug>() {
    Args::command().debug_assert();

    let help = refused::<Args>(&["--help"]);
    assert_eq!(help.kind(), ErrorKind::DisplayHelp);
    assert_eq!(help.exit_code(), 0);
    assert!(help.to_string().contains("Usage:"), "{help}");

    let unknown = refused::<Args>(&["--no-such-flag"]);
    assert_eq!(unknown.kind(), ErrorKind::UnknownArgument);
    assert_eq!(unknown.exit_code(), 2);
    assert_eq!(
        first_line(&unknown),
        "error: unexpected argument '--no-such-flag' found"
    );
}
