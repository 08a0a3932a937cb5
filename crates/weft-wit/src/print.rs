//! Canonical WIT text for resolved packages. (stub)
