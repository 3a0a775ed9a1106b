//! Runnable examples of the `errgroup` and `dashboard` crates, and the Go-to-Rust guide.
//!
//! This library holds no code. It exists so that `cargo test --doc` compiles and runs every
//! Rust code block of `docs/go-to-rust.md` and of the repository's README. (The `errgroup`
//! crate tests its own README, the one it is published with.)

/// The Go-to-Rust guide, compiled and run with the doctests so its code stays true.
#[cfg(doctest)]
#[doc = include_str!("../docs/go-to-rust.md")]
struct GoToRustGuide;

/// The repository's README, compiled and run with the doctests so its code stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct Readme;
