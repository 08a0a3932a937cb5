//! Empty: this package exists only so `cargo fetch` downloads the pinned oracle crates.
