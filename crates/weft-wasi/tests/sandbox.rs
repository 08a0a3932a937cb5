//! The `wasi:filesystem` sandbox, attacked through the host functions themselves: a small
//! WAT component imports `wasi:filesystem/types` and `preopens`, and exports one function per
//! operation (on its first preopen) that returns the error code's index, or -1 on success.
//! Every way out — `..`, absolute paths, symbolic links to the outside or to `..`, hard links
//! and renames across the boundary — must be an error code, never a success and never a trap;
//! and a directory or file without the permission must refuse to change.

mod common;

use std::fs;
use std::os::unix::fs::{symlink, MetadataExt};
use std::path::{Path, PathBuf};

use weft_runtime::{Instance, Store, Val};
use weft_wasi::{DirPerms, FilePerms, WasiCtx, WasiCtxBuilder};

// `path-flags`, `open-flags` and `descriptor-flags` bits.
const FOLLOW: u32 = 1;
const CREATE: u32 = 1;
const DIRECTORY: u32 = 2;
const EXCLUSIVE: u32 = 4;
const READ: u32 = 1;
const WRITE: u32 = 2;

/// The component: each export calls one `descriptor` method on the first preopen and
/// returns -1, or the error code's index (`read-len`: the bytes read, or -1 - the code).
fn wat() -> String {
    let types = common::filesystem_types();
    format!(
        r#"(component $C
  (import "wasi:filesystem/types@0.2.12" (instance $types
{types}
    (type $dt-t (record (field "seconds" u64) (field "nanoseconds" u32)))
    (export "datetime" (type $dt (eq $dt-t)))
    (type $ty-t (enum "unknown" "block-device" "character-device" "directory" "fifo" "symbolic-link" "regular-file" "socket"))
    (export "descriptor-type" (type $ty (eq $ty-t)))
    (type $st-t (record (field "type" $ty) (field "link-count" u64) (field "size" u64)
      (field "data-access-timestamp" (option $dt))
      (field "data-modification-timestamp" (option $dt))
      (field "status-change-timestamp" (option $dt))))
    (export "descriptor-stat" (type $st (eq $st-t)))
    (type $nt-t (variant (case "no-change") (case "now") (case "timestamp" $dt)))
    (export "new-timestamp" (type $nt (eq $nt-t)))
    (type $mh-t (record (field "lower" u64) (field "upper" u64)))
    (export "metadata-hash-value" (type $mh (eq $mh-t)))
    (type $de-t (record (field "type" $ty) (field "name" string)))
    (export "directory-entry" (type $de (eq $de-t)))
    (export "directory-entry-stream" (type $ds (sub resource)))
    (export "[method]descriptor.read-directory" (func (param "self" (borrow $d))
      (result (result (own $ds) (error $ec)))))
    (export "[method]directory-entry-stream.read-directory-entry" (func (param "self" (borrow $ds))
      (result (result (option $de) (error $ec)))))
    (export "[method]descriptor.set-times" (func (param "self" (borrow $d))
      (param "data-access-timestamp" $nt) (param "data-modification-timestamp" $nt)
      (result (result (error $ec)))))
    (export "[method]descriptor.set-times-at" (func (param "self" (borrow $d)) (param "path-flags" $pf)
      (param "path" string) (param "data-access-timestamp" $nt) (param "data-modification-timestamp" $nt)
      (result (result (error $ec)))))
    (export "[method]descriptor.is-same-object" (func (param "self" (borrow $d)) (param "other" (borrow $d))
      (result bool)))
    (export "[method]descriptor.metadata-hash" (func (param "self" (borrow $d)) (result (result $mh (error $ec)))))
    (export "[method]descriptor.metadata-hash-at" (func (param "self" (borrow $d)) (param "path-flags" $pf)
      (param "path" string) (result (result $mh (error $ec)))))
    (export "[method]descriptor.open-at" (func (param "self" (borrow $d)) (param "path-flags" $pf)
      (param "path" string) (param "open-flags" $of) (param "flags" $df) (result (result (own $d) (error $ec)))))
    (export "[method]descriptor.stat-at" (func (param "self" (borrow $d)) (param "path-flags" $pf)
      (param "path" string) (result (result $st (error $ec)))))
    (export "[method]descriptor.readlink-at" (func (param "self" (borrow $d)) (param "path" string)
      (result (result string (error $ec)))))
    (export "[method]descriptor.link-at" (func (param "self" (borrow $d)) (param "old-path-flags" $pf)
      (param "old-path" string) (param "new-descriptor" (borrow $d)) (param "new-path" string)
      (result (result (error $ec)))))
    (export "[method]descriptor.symlink-at" (func (param "self" (borrow $d)) (param "old-path" string)
      (param "new-path" string) (result (result (error $ec)))))
    (export "[method]descriptor.rename-at" (func (param "self" (borrow $d)) (param "old-path" string)
      (param "new-descriptor" (borrow $d)) (param "new-path" string) (result (result (error $ec)))))
    (export "[method]descriptor.unlink-file-at" (func (param "self" (borrow $d)) (param "path" string)
      (result (result (error $ec)))))
    (export "[method]descriptor.remove-directory-at" (func (param "self" (borrow $d)) (param "path" string)
      (result (result (error $ec)))))
    (export "[method]descriptor.create-directory-at" (func (param "self" (borrow $d)) (param "path" string)
      (result (result (error $ec)))))
    (export "[method]descriptor.write" (func (param "self" (borrow $d)) (param "buffer" (list u8))
      (param "offset" u64) (result (result u64 (error $ec)))))
    (export "[method]descriptor.read" (func (param "self" (borrow $d)) (param "length" u64)
      (param "offset" u64) (result (result (tuple (list u8) bool) (error $ec)))))))
  (alias export $types "descriptor" (type $desc))
  (import "wasi:filesystem/preopens@0.2.12" (instance $preopens
    (alias outer $C $desc (type $d))
    (export "descriptor" (type $d2 (eq $d)))
    (export "get-directories" (func (result (list (tuple (own $d2) string)))))))

  (core module $libc
    (memory (export "memory") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32) (result i32)
      (local $ptr i32)
      (local.set $ptr (i32.and
        (i32.add (global.get $next) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
      (global.set $next (i32.add (local.get $ptr) (local.get $new_size)))
      (if (i32.gt_u (global.get $next) (i32.mul (memory.size) (i32.const 65536)))
        (then (drop (memory.grow (i32.const 1)))))
      (if (local.get $old) (then (memory.copy (local.get $ptr) (local.get $old) (local.get $old_size))))
      (local.get $ptr)))
  (core instance $libc (instantiate $libc))
  (alias core export $libc "memory" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))

  (alias export $preopens "get-directories" (func $get-directories))
  (alias export $types "[method]descriptor.open-at" (func $open-at))
  (alias export $types "[method]descriptor.stat-at" (func $stat-at))
  (alias export $types "[method]descriptor.readlink-at" (func $readlink-at))
  (alias export $types "[method]descriptor.link-at" (func $link-at))
  (alias export $types "[method]descriptor.symlink-at" (func $symlink-at))
  (alias export $types "[method]descriptor.rename-at" (func $rename-at))
  (alias export $types "[method]descriptor.unlink-file-at" (func $unlink-file-at))
  (alias export $types "[method]descriptor.remove-directory-at" (func $remove-directory-at))
  (alias export $types "[method]descriptor.create-directory-at" (func $create-directory-at))
  (alias export $types "[method]descriptor.write" (func $write))
  (alias export $types "[method]descriptor.read" (func $read))
  (alias export $types "directory-entry-stream" (type $entries))
  (alias export $types "[method]descriptor.read-directory" (func $read-directory))
  (alias export $types "[method]directory-entry-stream.read-directory-entry" (func $read-directory-entry))
  (alias export $types "[method]descriptor.set-times-at" (func $set-times-at))
  (alias export $types "[method]descriptor.set-times" (func $set-times))
  (alias export $types "[method]descriptor.is-same-object" (func $is-same-object))
  (alias export $types "[method]descriptor.metadata-hash" (func $metadata-hash))
  (alias export $types "[method]descriptor.metadata-hash-at" (func $metadata-hash-at))
  (core func $get-directories' (canon lower (func $get-directories) (memory $mem) (realloc $realloc)))
  (core func $open-at' (canon lower (func $open-at) (memory $mem)))
  (core func $stat-at' (canon lower (func $stat-at) (memory $mem)))
  (core func $readlink-at' (canon lower (func $readlink-at) (memory $mem) (realloc $realloc)))
  (core func $link-at' (canon lower (func $link-at) (memory $mem)))
  (core func $symlink-at' (canon lower (func $symlink-at) (memory $mem)))
  (core func $rename-at' (canon lower (func $rename-at) (memory $mem)))
  (core func $unlink-file-at' (canon lower (func $unlink-file-at) (memory $mem)))
  (core func $remove-directory-at' (canon lower (func $remove-directory-at) (memory $mem)))
  (core func $create-directory-at' (canon lower (func $create-directory-at) (memory $mem)))
  (core func $write' (canon lower (func $write) (memory $mem)))
  (core func $read' (canon lower (func $read) (memory $mem) (realloc $realloc)))
  (core func $drop (canon resource.drop $desc))
  (core func $read-directory' (canon lower (func $read-directory) (memory $mem)))
  (core func $read-directory-entry' (canon lower (func $read-directory-entry) (memory $mem) (realloc $realloc)))
  (core func $drop-entries (canon resource.drop $entries))
  (core func $set-times-at' (canon lower (func $set-times-at) (memory $mem)))
  (core func $set-times' (canon lower (func $set-times) (memory $mem)))
  (core func $is-same-object' (canon lower (func $is-same-object)))
  (core func $metadata-hash' (canon lower (func $metadata-hash) (memory $mem)))
  (core func $metadata-hash-at' (canon lower (func $metadata-hash-at) (memory $mem)))

  (core module $m
    (import "libc" "memory" (memory 1))
    (import "fs" "get-directories" (func $get-directories (param i32)))
    (import "fs" "open-at" (func $open-at (param i32 i32 i32 i32 i32 i32 i32)))
    (import "fs" "stat-at" (func $stat-at (param i32 i32 i32 i32 i32)))
    (import "fs" "readlink-at" (func $readlink-at (param i32 i32 i32 i32)))
    (import "fs" "link-at" (func $link-at (param i32 i32 i32 i32 i32 i32 i32 i32)))
    (import "fs" "symlink-at" (func $symlink-at (param i32 i32 i32 i32 i32 i32)))
    (import "fs" "rename-at" (func $rename-at (param i32 i32 i32 i32 i32 i32 i32)))
    (import "fs" "unlink-file-at" (func $unlink-file-at (param i32 i32 i32 i32)))
    (import "fs" "remove-directory-at" (func $remove-directory-at (param i32 i32 i32 i32)))
    (import "fs" "create-directory-at" (func $create-directory-at (param i32 i32 i32 i32)))
    (import "fs" "write" (func $write (param i32 i32 i32 i64 i32)))
    (import "fs" "read" (func $read (param i32 i64 i64 i32)))
    (import "fs" "drop" (func $drop (param i32)))
    (import "fs" "read-directory" (func $read-directory (param i32 i32)))
    (import "fs" "read-directory-entry" (func $read-directory-entry (param i32 i32)))
    (import "fs" "drop-entries" (func $drop-entries (param i32)))
    (import "fs" "set-times-at" (func $set-times-at (param i32 i32 i32 i32 i32 i64 i32 i32 i64 i32 i32)))
    (import "fs" "set-times" (func $set-times (param i32 i32 i64 i32 i32 i64 i32 i32)))
    (import "fs" "is-same-object" (func $is-same-object (param i32 i32) (result i32)))
    (import "fs" "metadata-hash" (func $metadata-hash (param i32 i32)))
    (import "fs" "metadata-hash-at" (func $metadata-hash-at (param i32 i32 i32 i32 i32)))
    (global $base-fd (mut i32) (i32.const -1))
    ;; The return area is at 32 (a `descriptor-stat` result takes 104 bytes); "x" at 512.
    (data (i32.const 512) "x")
    ;; The first preopen (`get-directories` writes its list at 16).
    (func $base (result i32)
      (if (i32.eq (global.get $base-fd) (i32.const -1))
        (then
          (call $get-directories (i32.const 16))
          (global.set $base-fd (i32.load (i32.load (i32.const 16))))))
      (global.get $base-fd))
    ;; The `result<_, error-code>` at 32 (payload at 32 + $off): -1, or the code.
    (func $code (param $off i32) (result i32)
      (if (result i32) (i32.load8_u (i32.const 32))
        (then (i32.load8_u (i32.add (i32.const 32) (local.get $off))))
        (else (i32.const -1))))
    (func (export "open") (param $p i32) (param $l i32) (param $pf i32) (param $of i32) (param $df i32) (result i32)
      (call $open-at (call $base) (local.get $pf) (local.get $p) (local.get $l) (local.get $of) (local.get $df) (i32.const 32))
      (if (i32.eqz (i32.load8_u (i32.const 32)))
        (then (call $drop (i32.load (i32.const 36))) (return (i32.const -1))))
      (i32.load8_u (i32.const 36)))
    (func (export "stat") (param $p i32) (param $l i32) (param $pf i32) (result i32)
      (call $stat-at (call $base) (local.get $pf) (local.get $p) (local.get $l) (i32.const 32))
      (call $code (i32.const 8)))
    (func (export "readlink") (param $p i32) (param $l i32) (result i32)
      (call $readlink-at (call $base) (local.get $p) (local.get $l) (i32.const 32))
      (call $code (i32.const 4)))
    (func (export "link") (param $op i32) (param $ol i32) (param $np i32) (param $nl i32) (param $pf i32) (result i32)
      (call $link-at (call $base) (local.get $pf) (local.get $op) (local.get $ol) (call $base) (local.get $np) (local.get $nl) (i32.const 32))
      (call $code (i32.const 1)))
    (func (export "symlink") (param $op i32) (param $ol i32) (param $np i32) (param $nl i32) (result i32)
      (call $symlink-at (call $base) (local.get $op) (local.get $ol) (local.get $np) (local.get $nl) (i32.const 32))
      (call $code (i32.const 1)))
    (func (export "rename") (param $op i32) (param $ol i32) (param $np i32) (param $nl i32) (result i32)
      (call $rename-at (call $base) (local.get $op) (local.get $ol) (call $base) (local.get $np) (local.get $nl) (i32.const 32))
      (call $code (i32.const 1)))
    (func (export "unlink") (param $p i32) (param $l i32) (result i32)
      (call $unlink-file-at (call $base) (local.get $p) (local.get $l) (i32.const 32))
      (call $code (i32.const 1)))
    (func (export "rmdir") (param $p i32) (param $l i32) (result i32)
      (call $remove-directory-at (call $base) (local.get $p) (local.get $l) (i32.const 32))
      (call $code (i32.const 1)))
    (func (export "mkdir") (param $p i32) (param $l i32) (result i32)
      (call $create-directory-at (call $base) (local.get $p) (local.get $l) (i32.const 32))
      (call $code (i32.const 1)))
    ;; Opens the file (following a final symbolic link) and writes "x" at offset 0.
    (func (export "open-write") (param $p i32) (param $l i32) (param $of i32) (param $df i32) (result i32)
      (local $fd i32)
      (call $open-at (call $base) (i32.const 1) (local.get $p) (local.get $l) (local.get $of) (local.get $df) (i32.const 32))
      (if (i32.load8_u (i32.const 32)) (then (return (i32.load8_u (i32.const 36)))))
      (local.set $fd (i32.load (i32.const 36)))
      (call $write (local.get $fd) (i32.const 512) (i32.const 1) (i64.const 0) (i32.const 32))
      (call $drop (local.get $fd))
      (call $code (i32.const 8)))
    ;; Opens the file for reading (following a final symbolic link) and reads up to 1000
    ;; bytes at offset 0.
    (func (export "read-len") (param $p i32) (param $l i32) (result i32)
      (call $read-len-opened (local.get $p) (local.get $l) (i32.const 1)))
    ;; `read-len` on a descriptor opened with descriptor-flags `$df`.
    (func $read-len-opened (export "read-len-opened") (param $p i32) (param $l i32) (param $df i32) (result i32)
      (local $fd i32)
      (call $open-at (call $base) (i32.const 1) (local.get $p) (local.get $l) (i32.const 0) (local.get $df) (i32.const 32))
      (if (i32.load8_u (i32.const 32))
        (then (return (i32.sub (i32.const -1) (i32.load8_u (i32.const 36))))))
      (local.set $fd (i32.load (i32.const 36)))
      (call $read (local.get $fd) (i64.const 1000) (i64.const 0) (i32.const 32))
      (call $drop (local.get $fd))
      (if (i32.load8_u (i32.const 32))
        (then (return (i32.sub (i32.const -1) (i32.load8_u (i32.const 36))))))
      (i32.load (i32.const 40)))
    ;; The number of entries of the preopen, or -1 - the code.
    (func (export "count-entries") (result i32)
      (local $s i32) (local $n i32)
      (call $read-directory (call $base) (i32.const 32))
      (if (i32.load8_u (i32.const 32))
        (then (return (i32.sub (i32.const -1) (i32.load8_u (i32.const 36))))))
      (local.set $s (i32.load (i32.const 36)))
      (block $done
        (loop $next
          (call $read-directory-entry (local.get $s) (i32.const 32))
          (if (i32.load8_u (i32.const 32))
            (then (return (i32.sub (i32.const -1) (i32.load8_u (i32.const 36))))))
          ;; option<directory-entry> at 36: none ends the stream.
          (br_if $done (i32.eqz (i32.load8_u (i32.const 36))))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br $next)))
      (call $drop-entries (local.get $s))
      (local.get $n))
    ;; Sets the modification time of `path` to `seconds`, leaving the access time.
    (func (export "set-mtime") (param $p i32) (param $l i32) (param $secs i64) (result i32)
      (call $set-times-at (call $base) (i32.const 1) (local.get $p) (local.get $l)
        (i32.const 0) (i64.const 0) (i32.const 0)
        (i32.const 2) (local.get $secs) (i32.const 0)
        (i32.const 32))
      (call $code (i32.const 1)))
    ;; Opens `path` for reading only and sets its modification time to `seconds` through
    ;; that descriptor (`set-times`): -1, or the code.
    (func (export "set-mtime-read-only") (param $p i32) (param $l i32) (param $secs i64) (result i32)
      (local $fd i32)
      (call $open-at (call $base) (i32.const 1) (local.get $p) (local.get $l) (i32.const 0) (i32.const 1) (i32.const 32))
      (if (i32.load8_u (i32.const 32)) (then (return (i32.load8_u (i32.const 36)))))
      (local.set $fd (i32.load (i32.const 36)))
      (call $set-times (local.get $fd) (i32.const 0) (i64.const 0) (i32.const 0)
        (i32.const 2) (local.get $secs) (i32.const 0) (i32.const 32))
      (call $drop (local.get $fd))
      (call $code (i32.const 1)))
    ;; Whether the directory `path` is the preopen: 1 or 0 (by `is-same-object` and by
    ;; `metadata-hash` against `metadata-hash-at`, which must agree), or -1 - the code.
    (func (export "same") (param $p i32) (param $l i32) (result i32)
      (local $fd i32) (local $same i32) (local $lo i64) (local $hi i64)
      (call $open-at (call $base) (i32.const 1) (local.get $p) (local.get $l) (i32.const 2) (i32.const 1) (i32.const 32))
      (if (i32.load8_u (i32.const 32))
        (then (return (i32.sub (i32.const -1) (i32.load8_u (i32.const 36))))))
      (local.set $fd (i32.load (i32.const 36)))
      (local.set $same (call $is-same-object (call $base) (local.get $fd)))
      (call $drop (local.get $fd))
      (call $metadata-hash (call $base) (i32.const 32))
      (if (i32.load8_u (i32.const 32)) (then (unreachable)))
      (local.set $lo (i64.load (i32.const 40)))
      (local.set $hi (i64.load (i32.const 48)))
      (call $metadata-hash-at (call $base) (i32.const 1) (local.get $p) (local.get $l) (i32.const 32))
      (if (i32.load8_u (i32.const 32))
        (then (return (i32.sub (i32.const -1) (i32.load8_u (i32.const 40))))))
      (if (i32.ne (local.get $same)
            (i32.and (i64.eq (local.get $lo) (i64.load (i32.const 40)))
                     (i64.eq (local.get $hi) (i64.load (i32.const 48)))))
        (then (unreachable)))
      (local.get $same)))
  (core instance $i (instantiate $m
    (with "libc" (instance $libc))
    (with "fs" (instance
      (export "get-directories" (func $get-directories'))
      (export "open-at" (func $open-at'))
      (export "stat-at" (func $stat-at'))
      (export "readlink-at" (func $readlink-at'))
      (export "link-at" (func $link-at'))
      (export "symlink-at" (func $symlink-at'))
      (export "rename-at" (func $rename-at'))
      (export "unlink-file-at" (func $unlink-file-at'))
      (export "remove-directory-at" (func $remove-directory-at'))
      (export "create-directory-at" (func $create-directory-at'))
      (export "write" (func $write'))
      (export "read" (func $read'))
      (export "drop" (func $drop))
      (export "read-directory" (func $read-directory'))
      (export "read-directory-entry" (func $read-directory-entry'))
      (export "drop-entries" (func $drop-entries))
      (export "set-times-at" (func $set-times-at'))
      (export "set-times" (func $set-times'))
      (export "is-same-object" (func $is-same-object'))
      (export "metadata-hash" (func $metadata-hash'))
      (export "metadata-hash-at" (func $metadata-hash-at'))))))
  (func (export "count-entries") (result s32) (canon lift (core func $i "count-entries")))
  (func (export "set-mtime") (param "path" string) (param "seconds" u64) (result s32)
    (canon lift (core func $i "set-mtime") (memory $mem) (realloc $realloc)))
  (func (export "same") (param "path" string) (result s32)
    (canon lift (core func $i "same") (memory $mem) (realloc $realloc)))
  (func (export "open") (param "path" string) (param "path-flags" u32) (param "open-flags" u32)
    (param "flags" u32) (result s32) (canon lift (core func $i "open") (memory $mem) (realloc $realloc)))
  (func (export "stat") (param "path" string) (param "path-flags" u32) (result s32)
    (canon lift (core func $i "stat") (memory $mem) (realloc $realloc)))
  (func (export "readlink") (param "path" string) (result s32)
    (canon lift (core func $i "readlink") (memory $mem) (realloc $realloc)))
  (func (export "link") (param "old" string) (param "new" string) (param "path-flags" u32) (result s32)
    (canon lift (core func $i "link") (memory $mem) (realloc $realloc)))
  (func (export "symlink") (param "target" string) (param "link" string) (result s32)
    (canon lift (core func $i "symlink") (memory $mem) (realloc $realloc)))
  (func (export "rename") (param "old" string) (param "new" string) (result s32)
    (canon lift (core func $i "rename") (memory $mem) (realloc $realloc)))
  (func (export "unlink") (param "path" string) (result s32)
    (canon lift (core func $i "unlink") (memory $mem) (realloc $realloc)))
  (func (export "rmdir") (param "path" string) (result s32)
    (canon lift (core func $i "rmdir") (memory $mem) (realloc $realloc)))
  (func (export "mkdir") (param "path" string) (result s32)
    (canon lift (core func $i "mkdir") (memory $mem) (realloc $realloc)))
  (func (export "open-write") (param "path" string) (param "open-flags" u32) (param "flags" u32) (result s32)
    (canon lift (core func $i "open-write") (memory $mem) (realloc $realloc)))
  (func (export "read-len") (param "path" string) (result s32)
    (canon lift (core func $i "read-len") (memory $mem) (realloc $realloc)))
  (func (export "read-len-opened") (param "path" string) (param "flags" u32) (result s32)
    (canon lift (core func $i "read-len-opened") (memory $mem) (realloc $realloc)))
  (func (export "set-mtime-read-only") (param "path" string) (param "seconds" u64) (result s32)
    (canon lift (core func $i "set-mtime-read-only") (memory $mem) (realloc $realloc))))"#
    )
}

/// An instance of the component whose first preopen is `dir`.
struct Guest {
    store: Store<WasiCtx>,
    instance: Instance,
}

impl Guest {
    fn new(dir: &Path, perms: DirPerms, file_perms: FilePerms) -> Guest {
        let ctx = WasiCtxBuilder::new()
            .preopened_dir(dir, "/", perms, file_perms)
            .unwrap()
            .build();
        let (store, instance) = common::instantiate(&wat(), ctx);
        Guest { store, instance }
    }

    /// Calls export `name`; its `s32` result.
    fn call(&mut self, name: &str, args: &[Val]) -> i32 {
        let f = self.instance.func(&self.store, name).unwrap();
        match f.call(&mut self.store, args) {
            Ok(Some(Val::S32(n))) => n,
            // A trap is a failure of the sandbox too: errors must be error codes.
            other => panic!("`{name}({args:?})` returned {other:?}"),
        }
    }

    /// Calls export `name`: `Ok` or the error code's name.
    fn result(&mut self, name: &str, args: &[Val]) -> Result<(), &'static str> {
        match self.call(name, args) {
            -1 => Ok(()),
            n => Err(common::ERROR_CODES[n as usize]),
        }
    }

    fn open(&mut self, path: &str, path_flags: u32, open_flags: u32, flags: u32) -> R {
        self.result(
            "open",
            &[
                s(path),
                Val::U32(path_flags),
                Val::U32(open_flags),
                Val::U32(flags),
            ],
        )
    }
    fn stat(&mut self, path: &str, path_flags: u32) -> R {
        self.result("stat", &[s(path), Val::U32(path_flags)])
    }
    fn one(&mut self, func: &str, path: &str) -> R {
        self.result(func, &[s(path)])
    }
    fn two(&mut self, func: &str, a: &str, b: &str) -> R {
        self.result(func, &[s(a), s(b)])
    }
    fn link(&mut self, old: &str, new: &str, path_flags: u32) -> R {
        self.result("link", &[s(old), s(new), Val::U32(path_flags)])
    }
    fn open_write(&mut self, path: &str, open_flags: u32, flags: u32) -> R {
        self.result(
            "open-write",
            &[s(path), Val::U32(open_flags), Val::U32(flags)],
        )
    }
    /// The bytes read from `path`, or the error code.
    fn read_len(&mut self, path: &str) -> Result<usize, &'static str> {
        match self.call("read-len", &[s(path)]) {
            n if n >= 0 => Ok(n as usize),
            n => Err(common::ERROR_CODES[(-1 - n) as usize]),
        }
    }
}

type R = Result<(), &'static str>;

fn s(v: &str) -> Val {
    Val::String(v.to_string())
}

const NOT_PERMITTED: R = Err("not-permitted");

/// A fresh tree: `root/outside.txt` (the secret) and `root/sandbox/` (the preopen) with
/// `inside.txt`, `a/`, `full/f`, and links `etc-link` → `/etc`, `up` → `..`,
/// `out-link` → `root/outside.txt` (absolute).
fn tree(name: &str) -> (PathBuf, PathBuf) {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("sandbox")
        .join(name);
    let _ = fs::remove_dir_all(&root);
    let sandbox = root.join("sandbox");
    fs::create_dir_all(sandbox.join("a")).unwrap();
    fs::create_dir_all(sandbox.join("full")).unwrap();
    fs::write(sandbox.join("full/f"), "f").unwrap();
    fs::write(root.join("outside.txt"), "secret").unwrap();
    fs::write(sandbox.join("inside.txt"), "hello").unwrap();
    symlink("/etc", sandbox.join("etc-link")).unwrap();
    symlink("..", sandbox.join("up")).unwrap();
    symlink(root.join("outside.txt"), sandbox.join("out-link")).unwrap();
    (root, sandbox)
}

/// The secret is untouched, and nothing appeared next to it.
fn assert_outside_untouched(root: &Path) {
    let secret = root.join("outside.txt");
    assert_eq!(fs::read_to_string(&secret).unwrap(), "secret");
    assert_eq!(
        fs::metadata(&secret).unwrap().nlink(),
        1,
        "a hard link to the secret"
    );
    let mut names: Vec<String> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["outside.txt", "sandbox"]);
}

#[test]
fn inside_the_preopen_works() {
    let (_root, sandbox) = tree("inside");
    let mut g = Guest::new(&sandbox, DirPerms::all(), FilePerms::all());
    assert_eq!(g.stat(".", 0), Ok(()));
    assert_eq!(g.stat("inside.txt", FOLLOW), Ok(()));
    assert_eq!(g.open("inside.txt", 0, 0, READ), Ok(()));
    assert_eq!(g.open("a/../inside.txt", FOLLOW, 0, READ), Ok(()));
    assert_eq!(g.open("a", 0, DIRECTORY, READ), Ok(()));
    assert_eq!(g.read_len("inside.txt"), Ok(5));
    assert_eq!(g.read_len("a/../inside.txt"), Ok(5));
    // A link that leads out is itself inside: it can be looked at, and read as a path.
    assert_eq!(g.stat("etc-link", 0), Ok(()));
    assert_eq!(g.one("readlink", "up"), Ok(()));
    assert_eq!(g.two("symlink", "inside.txt", "a/ln"), Ok(()));
    assert_eq!(g.read_len("a/ln"), Err("no-entry"), "relative to a/");
    assert_eq!(g.two("symlink", "../inside.txt", "a/ln2"), Ok(()));
    assert_eq!(g.read_len("a/ln2"), Ok(5));
    assert_eq!(g.link("inside.txt", "a/hard", 0), Ok(()));
    assert_eq!(fs::metadata(sandbox.join("inside.txt")).unwrap().nlink(), 2);
    assert_eq!(g.two("rename", "a/hard", "moved"), Ok(()));
    assert_eq!(g.one("unlink", "moved"), Ok(()));
    assert_eq!(g.one("mkdir", "b"), Ok(()));
    assert_eq!(g.one("rmdir", "b"), Ok(()));
    assert_eq!(g.open_write("new.txt", CREATE, READ | WRITE), Ok(()));
    assert_eq!(fs::read_to_string(sandbox.join("new.txt")).unwrap(), "x");
}

#[test]
fn directories_times_and_identity() {
    let (_root, sandbox) = tree("misc");
    let mut g = Guest::new(&sandbox, DirPerms::all(), FilePerms::all());
    // a, full, inside.txt, etc-link, up, out-link: no `.` or `..`.
    assert_eq!(g.call("count-entries", &[]), 6);
    assert_eq!(
        g.call("set-mtime", &[s("inside.txt"), Val::U64(1_000_000_000)]),
        -1
    );
    let m = fs::metadata(sandbox.join("inside.txt")).unwrap();
    assert_eq!(m.mtime(), 1_000_000_000);
    assert_ne!(m.atime(), 1_000_000_000, "no-change");
    assert_eq!(g.call("same", &[s(".")]), 1);
    assert_eq!(g.call("same", &[s("a/..")]), 1);
    assert_eq!(g.call("same", &[s("a")]), 0);
    // Through a link that leads out: no answer.
    assert_eq!(g.call("same", &[s("up")]), -1 - 31);
    let mut g = Guest::new(&sandbox, DirPerms::READ, FilePerms::all());
    assert_eq!(
        g.call("set-mtime", &[s("inside.txt"), Val::U64(5)]),
        31,
        "not-permitted without MUTATE"
    );
}

#[test]
fn paths_out_of_the_preopen_are_refused() {
    let (root, _sandbox) = tree("paths");
    let mut g = Guest::new(&root.join("sandbox"), DirPerms::all(), FilePerms::all());
    for path in [
        "../outside.txt",
        "/etc/passwd",
        "/",
        "..",
        "a/../../outside.txt",
        "a/../..",
        "./../sandbox/../outside.txt",
    ] {
        for follow in [0, FOLLOW] {
            assert_eq!(g.open(path, follow, 0, READ), NOT_PERMITTED, "open {path}");
            assert_eq!(g.stat(path, follow), NOT_PERMITTED, "stat {path}");
        }
        assert_eq!(
            g.open(path, 0, DIRECTORY, READ),
            NOT_PERMITTED,
            "open dir {path}"
        );
        assert_eq!(g.read_len(path), NOT_PERMITTED.map(|()| 0), "read {path}");
        assert_eq!(g.one("readlink", path), NOT_PERMITTED, "readlink {path}");
    }
    assert_eq!(g.open("../new.txt", 0, CREATE, WRITE), NOT_PERMITTED);
    assert_eq!(g.one("mkdir", "../newdir"), NOT_PERMITTED);
    assert_eq!(g.one("mkdir", "/tmp/newdir"), NOT_PERMITTED);
    assert_eq!(g.one("unlink", "../outside.txt"), NOT_PERMITTED);
    assert_eq!(g.one("rmdir", "../sandbox"), NOT_PERMITTED);
    assert_outside_untouched(&root);
}

#[test]
fn symlinks_out_of_the_preopen_are_not_followed() {
    let (root, sandbox) = tree("symlinks");
    let mut g = Guest::new(&sandbox, DirPerms::all(), FilePerms::all());
    // `etc-link` → /etc (absolute), `up` → .., `out-link` → the secret (absolute).
    for path in [
        "etc-link/passwd",
        "etc-link",
        "up/outside.txt",
        "up",
        "up/sandbox/inside.txt",
        "out-link",
        "a/../up/outside.txt",
    ] {
        assert_eq!(g.open(path, FOLLOW, 0, READ), NOT_PERMITTED, "open {path}");
        assert_eq!(g.stat(path, FOLLOW), NOT_PERMITTED, "stat {path}");
        assert_eq!(g.read_len(path), NOT_PERMITTED.map(|()| 0), "read {path}");
    }
    assert_eq!(g.open("etc-link", FOLLOW, DIRECTORY, READ), NOT_PERMITTED);
    assert_eq!(g.open("up", FOLLOW, DIRECTORY, READ), NOT_PERMITTED);
    // Not following the final link: opening a symbolic link itself is `loop` (O_NOFOLLOW).
    assert_eq!(g.open("out-link", 0, 0, READ), Err("loop"));
    // The target of a link to an absolute path is not read out.
    assert_eq!(g.one("readlink", "etc-link"), NOT_PERMITTED);
    assert_eq!(g.one("readlink", "out-link"), NOT_PERMITTED);
    // Writing through a link.
    assert_eq!(g.open_write("out-link", 0, WRITE), NOT_PERMITTED);
    assert_eq!(g.open_write("up/outside.txt", 0, WRITE), NOT_PERMITTED);
    assert_eq!(g.open_write("up/created.txt", CREATE, WRITE), NOT_PERMITTED);
    assert_eq!(g.one("mkdir", "up/newdir"), NOT_PERMITTED);
    assert_eq!(g.one("unlink", "up/outside.txt"), NOT_PERMITTED);
    // New links: to an absolute path, refused; out by `..`, made but never followed.
    assert_eq!(g.two("symlink", "/etc", "abs-link"), NOT_PERMITTED);
    assert_eq!(g.two("symlink", "/", "root-link"), NOT_PERMITTED);
    assert_eq!(g.two("symlink", "../outside.txt", "rel-out"), Ok(()));
    assert_eq!(g.read_len("rel-out"), NOT_PERMITTED.map(|()| 0));
    assert_eq!(g.two("symlink", "inside.txt", "../evil"), NOT_PERMITTED);
    assert_eq!(g.two("symlink", "inside.txt", "up/evil"), NOT_PERMITTED);
    assert_outside_untouched(&root);
}

#[test]
fn hard_links_and_renames_cannot_cross_the_boundary() {
    let (root, sandbox) = tree("links");
    let mut g = Guest::new(&sandbox, DirPerms::all(), FilePerms::all());
    for old in [
        "../outside.txt",
        "/etc/passwd",
        "etc-link/passwd",
        "up/outside.txt",
    ] {
        assert_eq!(g.link(old, "hl", 0), NOT_PERMITTED, "link {old}");
        assert_eq!(
            g.two("rename", old, "stolen"),
            NOT_PERMITTED,
            "rename {old}"
        );
    }
    for new in ["../hl", "/tmp/hl", "up/hl", "etc-link/hl"] {
        assert_eq!(g.link("inside.txt", new, 0), NOT_PERMITTED, "link to {new}");
        assert_eq!(
            g.two("rename", "inside.txt", new),
            NOT_PERMITTED,
            "rename to {new}"
        );
    }
    // Linking a symbolic link that leads out links the link, not the secret…
    assert_eq!(g.link("out-link", "hl-of-link", 0), Ok(()));
    assert_eq!(g.read_len("hl-of-link"), NOT_PERMITTED.map(|()| 0));
    // …and following it is not offered.
    assert_eq!(g.link("out-link", "hl-followed", FOLLOW), Err("invalid"));
    // Moving a link that leads out around inside does not make it lead anywhere new.
    assert_eq!(g.two("rename", "up", "a/up"), Ok(()));
    assert_eq!(g.read_len("a/up/inside.txt"), Ok(5), "a/up is sandbox/a/..");
    assert_eq!(g.read_len("a/up/../outside.txt"), NOT_PERMITTED.map(|()| 0));
    assert_outside_untouched(&root);
}

#[test]
fn permissions_are_enforced() {
    let (root, sandbox) = tree("perms");
    let mut g = Guest::new(&sandbox, DirPerms::READ, FilePerms::READ);
    assert_eq!(g.read_len("inside.txt"), Ok(5));
    assert_eq!(g.stat("a", 0), Ok(()));
    assert_eq!(g.one("mkdir", "new"), NOT_PERMITTED);
    assert_eq!(g.open("new.txt", 0, CREATE, READ), NOT_PERMITTED);
    assert_eq!(g.open("inside.txt", 0, 0, READ | WRITE), NOT_PERMITTED);
    assert_eq!(g.open_write("inside.txt", 0, READ), NOT_PERMITTED);
    assert_eq!(g.one("unlink", "inside.txt"), NOT_PERMITTED);
    assert_eq!(g.one("rmdir", "a"), NOT_PERMITTED);
    assert_eq!(g.two("rename", "inside.txt", "renamed"), NOT_PERMITTED);
    assert_eq!(g.two("symlink", "inside.txt", "ln"), NOT_PERMITTED);
    assert_eq!(g.link("inside.txt", "hl", 0), NOT_PERMITTED);
    // Directories opened under the preopen have its permissions.
    assert_eq!(g.one("mkdir", "a/new"), NOT_PERMITTED);
    assert_eq!(
        fs::read_to_string(sandbox.join("inside.txt")).unwrap(),
        "hello"
    );

    // Everything granted, a descriptor opened for reading still does not write: the system's
    // answer for such a descriptor (`EBADF`), as under wasmtime, not a denied permission.
    let mut g = Guest::new(&sandbox, DirPerms::all(), FilePerms::all());
    assert_eq!(g.open_write("inside.txt", 0, READ), Err("bad-descriptor"));
    assert_eq!(
        fs::read_to_string(sandbox.join("inside.txt")).unwrap(),
        "hello"
    );
    // Nor does one opened for writing read; but its times may be set through any
    // descriptor, as the system allows a file's owner.
    let read_len_opened =
        |g: &mut Guest, flags: u32| g.call("read-len-opened", &[s("inside.txt"), Val::U32(flags)]);
    assert_eq!(read_len_opened(&mut g, READ), 5);
    assert_eq!(
        common::ERROR_CODES[(-1 - read_len_opened(&mut g, WRITE)) as usize],
        "bad-descriptor"
    );
    let set_mtime = |g: &mut Guest, secs: u64| {
        g.call("set-mtime-read-only", &[s("inside.txt"), Val::U64(secs)])
    };
    assert_eq!(set_mtime(&mut g, 1_200_000_000), -1);
    assert_eq!(
        fs::metadata(sandbox.join("inside.txt")).unwrap().mtime(),
        1_200_000_000
    );
    // Files read-only, the directory mutable: entries change, files do not (nor their times).
    let mut g = Guest::new(&sandbox, DirPerms::all(), FilePerms::READ);
    assert_eq!(g.open_write("inside.txt", 0, WRITE), NOT_PERMITTED);
    assert_eq!(
        common::ERROR_CODES[set_mtime(&mut g, 7) as usize],
        "not-permitted"
    );
    assert_eq!(g.one("mkdir", "made"), Ok(()));
    assert_outside_untouched(&root);
}

#[test]
fn os_errors_are_their_error_codes() {
    let (_root, sandbox) = tree("codes");
    let mut g = Guest::new(&sandbox, DirPerms::all(), FilePerms::all());
    symlink("loop", sandbox.join("loop")).unwrap();
    assert_eq!(g.open("missing.txt", 0, 0, READ), Err("no-entry"));
    assert_eq!(g.one("mkdir", "a"), Err("exist"));
    assert_eq!(
        g.open("inside.txt", 0, CREATE | EXCLUSIVE, WRITE),
        Err("exist")
    );
    assert_eq!(g.open("inside.txt/x", 0, 0, READ), Err("not-directory"));
    assert_eq!(
        g.open("inside.txt", 0, DIRECTORY, READ),
        Err("not-directory")
    );
    assert_eq!(g.open("a", 0, 0, WRITE), Err("is-directory"));
    assert_eq!(g.one("unlink", "a"), Err("is-directory"));
    assert_eq!(g.one("rmdir", "full"), Err("not-empty"));
    assert_eq!(g.one("rmdir", "inside.txt"), Err("not-directory"));
    assert_eq!(g.stat("loop", FOLLOW), Err("loop"));
    assert_eq!(g.one("readlink", "inside.txt"), Err("invalid"));
    assert_eq!(g.stat(&"n".repeat(300), 0), Err("name-too-long"));
    assert_eq!(g.open("a\0b", 0, 0, READ), Err("invalid"));
    assert_eq!(
        g.open("a", 0, DIRECTORY | CREATE, READ),
        Err("invalid"),
        "create a directory with open-at"
    );
}

/// `open-at` with `directory` and `write` resolves the path before refusing to write a
/// directory, so each path gets its own error code, as under wasmtime: only a directory is
/// `is-directory`. Not following a final symbolic link is `loop`, with or without `write`.
#[test]
fn open_directory_for_writing_resolves_the_path_first() {
    let (root, sandbox) = tree("directory-write");
    let mut g = Guest::new(&sandbox, DirPerms::all(), FilePerms::all());
    symlink("loop", sandbox.join("loop")).unwrap();
    symlink("a", sandbox.join("a-link")).unwrap();
    for (path, follow, code) in [
        ("missing", FOLLOW, "no-entry"),
        ("a/missing", 0, "no-entry"),
        ("inside.txt", FOLLOW, "not-directory"),
        ("loop", FOLLOW, "loop"),
        ("up", FOLLOW, "not-permitted"),
        ("out-link", FOLLOW, "not-permitted"),
        ("//", FOLLOW, "not-permitted"),
        ("a", FOLLOW, "is-directory"),
        ("a", 0, "is-directory"),
        ("a-link", FOLLOW, "is-directory"),
        ("a-link", 0, "loop"),
        ("loop", 0, "loop"),
        ("out-link", 0, "loop"),
    ] {
        assert_eq!(
            g.open(path, follow, DIRECTORY, WRITE),
            Err(code),
            "open {path} (follow: {follow}) as a directory for writing"
        );
    }
    assert_eq!(g.open("a-link", 0, DIRECTORY, READ), Err("loop"));
    assert_eq!(g.open("a-link", FOLLOW, DIRECTORY, READ), Ok(()));
    assert_outside_untouched(&root);
}
