//! The only filesystem code of `weft-wit`: reading files, package directories and `deps/`. (stub)
