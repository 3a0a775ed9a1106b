//! Runnable examples of the `errgroup` and `dashboard` crates, and the Go-to-Rust guide.
//!
//! This library holds no code. It exists so that `cargo test --doc` compiles and runs every
//! Rust code block of `docs/go-to-rust.md`, as it does the README's in the `errgroup` crate.

/// The Go-to-Rust guide, compiled and run with the doctests so its code stays true.
#[cfg(doctest)]
#[doc = include_str!("../docs/go-to-rust.md")]
struct GoToRustGuide;
