//! Scaffolding shared by the WASI host's tests: instantiating a WAT component against the
//! whole host, and the `libc` module of the hand-written guests.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use weft_runtime::{Component, Engine, Instance, Linker, Store};
use weft_wasi::WasiCtx;

/// Instantiates the WAT component `wat`, with every WASI interface linked and `ctx` as the
/// guest's view of the world.
pub fn instantiate(wat: &str, ctx: WasiCtx) -> (Store<WasiCtx>, Instance) {
    let engine = Engine::new().unwrap();
    let bytes = wat::parse_str(wat).expect("valid WAT");
    let component = Component::new(&engine, &bytes).expect("translates");
    let mut linker: Linker<WasiCtx> = Linker::new();
    weft_wasi::add_to_linker(&mut linker);
    let mut store = Store::new(&engine, ctx);
    let instance = linker.instantiate(&mut store, &component).unwrap();
    (store, instance)
}

/// The WAT of a guest's `libc`, a string literal (for `concat!`): a core module with `$pages`
/// pages of memory and a bump allocator as `realloc`, its heap starting at `$heap`,
/// instantiated, with the memory aliased as `$m` and `realloc` as `$realloc`.
#[allow(unused_macros, reason = "the sandbox's guest has a libc of its own")]
macro_rules! libc {
    ($pages:literal, $heap:literal) => {
        concat!(
            r#"  (core module $libc
    (memory (export "memory") "#,
            $pages,
            r#")
    (global $next (mut i32) (i32.const "#,
            $heap,
            r#"))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $next) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $next (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $libc (instantiate $libc))
  (alias core export $libc "memory" (core memory $m))
  (alias core export $libc "realloc" (core func $realloc))
"#
        )
    };
}
#[allow(unused_imports, reason = "the sandbox's guest has a libc of its own")]
pub(crate) use libc;

/// `wasi:filesystem/types.error-code`, in the WIT's order.
pub const ERROR_CODES: [&str; 37] = [
    "access",
    "would-block",
    "already",
    "bad-descriptor",
    "busy",
    "deadlock",
    "quota",
    "exist",
    "file-too-large",
    "illegal-byte-sequence",
    "in-progress",
    "interrupted",
    "invalid",
    "io",
    "is-directory",
    "loop",
    "too-many-links",
    "message-size",
    "name-too-long",
    "no-device",
    "no-entry",
    "no-lock",
    "insufficient-memory",
    "insufficient-space",
    "not-directory",
    "not-empty",
    "not-recoverable",
    "unsupported",
    "no-tty",
    "no-such-device",
    "overflow",
    "not-permitted",
    "pipe",
    "read-only",
    "invalid-seek",
    "text-file-busy",
    "cross-device",
];

/// The declarations a hand-written guest's `wasi:filesystem/types` instance type starts with:
/// `descriptor` (`$d`), `error-code` (`$ec`), `path-flags` (`$pf`), `open-flags` (`$of`) and
/// `descriptor-flags` (`$df`), as the WIT defines them.
pub fn filesystem_types() -> String {
    let codes: Vec<String> = ERROR_CODES.iter().map(|c| format!("{c:?}")).collect();
    format!(
        r#"    (export "descriptor" (type $d (sub resource)))
    (type $ec-t (enum {}))
    (export "error-code" (type $ec (eq $ec-t)))
    (type $pf-t (flags "symlink-follow"))
    (export "path-flags" (type $pf (eq $pf-t)))
    (type $of-t (flags "create" "directory" "exclusive" "truncate"))
    (export "open-flags" (type $of (eq $of-t)))
    (type $df-t (flags "read" "write" "file-integrity-sync" "data-integrity-sync" "requested-write-sync" "mutate-directory"))
    (export "descriptor-flags" (type $df (eq $df-t)))"#,
        codes.join(" ")
    )
}
