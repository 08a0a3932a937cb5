//! Comment-preserving formatting of WIT source text. (stub)
