//! Reading a file through `wasi:io/streams`: a WAT component opens a file in its preopen with
//! `read-via-stream` and reads it to the end with `input-stream.read` or `blocking-read`,
//! returning the bytes it collected. File reads are written straight into the block the
//! guest's `realloc` returns (no host buffer), so the guest also checks that every read
//! called `realloc` exactly once, for exactly the bytes it returned, as the canonical ABI says.

mod common;

use std::path::Path;

use weft_runtime::Val;
use weft_wasi::{DirPerms, FilePerms, WasiCtxBuilder};

/// The component; `{types}` stands for [`common::filesystem_types`].
const COMPONENT: &str = r#"(component $C
  (import "wasi:io/error@0.2.12" (instance $err (export "error" (type (sub resource)))))
  (alias export $err "error" (type $error))
  (import "wasi:io/streams@0.2.12" (instance $streams
    (export "input-stream" (type $is (sub resource)))
    (alias outer $C $error (type $e))
    (export "error" (type $e2 (eq $e)))
    (type $se (variant (case "last-operation-failed" (own $e2)) (case "closed")))
    (export "stream-error" (type $se2 (eq $se)))
    (export "[method]input-stream.read"
      (func (param "self" (borrow $is)) (param "len" u64) (result (result (list u8) (error $se2)))))
    (export "[method]input-stream.blocking-read"
      (func (param "self" (borrow $is)) (param "len" u64) (result (result (list u8) (error $se2)))))))
  (alias export $streams "input-stream" (type $input-stream))
  (import "wasi:filesystem/types@0.2.12" (instance $types
{types}
    (alias outer $C $input-stream (type $is))
    (export "input-stream" (type $is2 (eq $is)))
    (export "[method]descriptor.open-at" (func (param "self" (borrow $d)) (param "path-flags" $pf)
      (param "path" string) (param "open-flags" $of) (param "flags" $df) (result (result (own $d) (error $ec)))))
    (export "[method]descriptor.read-via-stream" (func (param "self" (borrow $d)) (param "offset" u64)
      (result (result (own $is2) (error $ec)))))))
  (alias export $types "descriptor" (type $desc))
  (import "wasi:filesystem/preopens@0.2.12" (instance $preopens
    (alias outer $C $desc (type $d))
    (export "descriptor" (type $d2 (eq $d)))
    (export "get-directories" (func (result (list (tuple (own $d2) string)))))))

  ;; A bump allocator that counts its calls and keeps the size of the last one. The heap
  ;; starts after the 4 MiB where the bytes read are collected.
  (core module $libc
    (memory (export "memory") 80)
    (global $next (mut i32) (i32.const 4259840))
    (global (export "calls") (mut i32) (i32.const 0))
    (global (export "last-size") (mut i32) (i32.const -1))
    (func (export "realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32) (result i32)
      (local $ptr i32)
      (global.set 1 (i32.add (global.get 1) (i32.const 1)))
      (global.set 2 (local.get $new_size))
      (local.set $ptr (i32.and
        (i32.add (global.get $next) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
      (global.set $next (i32.add (local.get $ptr) (local.get $new_size)))
      (if (i32.gt_u (global.get $next) (i32.mul (memory.size) (i32.const 65536)))
        (then (drop (memory.grow (i32.add (i32.div_u (local.get $new_size) (i32.const 65536)) (i32.const 1))))))
      (local.get $ptr)))
  (core instance $libc (instantiate $libc))
  (alias core export $libc "memory" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))

  (alias export $preopens "get-directories" (func $get-directories))
  (alias export $types "[method]descriptor.open-at" (func $open-at))
  (alias export $types "[method]descriptor.read-via-stream" (func $read-via-stream))
  (alias export $streams "[method]input-stream.read" (func $read))
  (alias export $streams "[method]input-stream.blocking-read" (func $blocking-read))
  (core func $get-directories' (canon lower (func $get-directories) (memory $mem) (realloc $realloc)))
  (core func $open-at' (canon lower (func $open-at) (memory $mem)))
  (core func $read-via-stream' (canon lower (func $read-via-stream) (memory $mem)))
  (core func $read' (canon lower (func $read) (memory $mem) (realloc $realloc)))
  (core func $blocking-read' (canon lower (func $blocking-read) (memory $mem) (realloc $realloc)))

  (core module $m
    (import "libc" "memory" (memory 1))
    (import "libc" "calls" (global $calls (mut i32)))
    (import "libc" "last-size" (global $last-size (mut i32)))
    (import "fs" "get-directories" (func $get-directories (param i32)))
    (import "fs" "open-at" (func $open-at (param i32 i32 i32 i32 i32 i32 i32)))
    (import "fs" "read-via-stream" (func $read-via-stream (param i32 i64 i32)))
    (import "io" "read" (func $read (param i32 i64 i32)))
    (import "io" "blocking-read" (func $blocking-read (param i32 i64 i32)))
    ;; Reads the file at `path` from `offset` to the end, `chunk` bytes a call, and returns
    ;; the bytes (collected from 64 KiB on). Traps on any error but `closed`, and when a read
    ;; did not call `realloc` once, for exactly the bytes it returned.
    (func (export "read-all") (param $p i32) (param $l i32) (param $offset i64) (param $chunk i64)
        (param $blocking i32) (result i32)
      (local $fd i32) (local $stream i32) (local $calls i32) (local $len i32) (local $total i32)
      (call $get-directories (i32.const 16))
      (if (i32.eqz (i32.load (i32.const 20))) (then unreachable))
      (call $open-at (i32.load (i32.load (i32.const 16))) (i32.const 0) (local.get $p) (local.get $l)
        (i32.const 0) (i32.const 1) (i32.const 32))
      (if (i32.load8_u (i32.const 32)) (then unreachable))
      (local.set $fd (i32.load (i32.const 36)))
      (call $read-via-stream (local.get $fd) (local.get $offset) (i32.const 48))
      (if (i32.load8_u (i32.const 48)) (then unreachable))
      (local.set $stream (i32.load (i32.const 52)))
      (block $end
        (loop $next
          (local.set $calls (global.get $calls))
          (if (local.get $blocking)
            (then (call $blocking-read (local.get $stream) (local.get $chunk) (i32.const 64)))
            (else (call $read (local.get $stream) (local.get $chunk) (i32.const 64))))
          (if (i32.load8_u (i32.const 64))
            (then
              ;; `closed` ends the loop; `last-operation-failed` traps.
              (br_if $end (i32.eq (i32.load8_u (i32.const 68)) (i32.const 1)))
              unreachable))
          (local.set $len (i32.load (i32.const 72)))
          (if (i32.ne (global.get $calls) (i32.add (local.get $calls) (i32.const 1))) (then unreachable))
          (if (i32.ne (global.get $last-size) (local.get $len)) (then unreachable))
          (if (i32.gt_u (i32.add (local.get $total) (local.get $len)) (i32.const 4128768)) (then unreachable))
          (memory.copy (i32.add (i32.const 65536) (local.get $total)) (i32.load (i32.const 68)) (local.get $len))
          (local.set $total (i32.add (local.get $total) (local.get $len)))
          (br $next)))
      (i32.store (i32.const 80) (i32.const 65536))
      (i32.store (i32.const 84) (local.get $total))
      (i32.const 80)))
  (core instance $i (instantiate $m
    (with "libc" (instance $libc))
    (with "fs" (instance
      (export "get-directories" (func $get-directories'))
      (export "open-at" (func $open-at'))
      (export "read-via-stream" (func $read-via-stream'))))
    (with "io" (instance
      (export "read" (func $read'))
      (export "blocking-read" (func $blocking-read'))))))
  (func (export "read-all") (param "path" string) (param "offset" u64) (param "chunk" u64)
      (param "blocking" bool) (result (list u8))
    (canon lift (core func $i "read-all") (memory $mem) (realloc $realloc))))"#;

/// The bytes the guest reads from `dir/path`.
fn read_all(dir: &Path, path: &str, offset: u64, chunk: u64, blocking: bool) -> Vec<u8> {
    let ctx = WasiCtxBuilder::new()
        .preopened_dir(dir, "/", DirPerms::all(), FilePerms::all())
        .unwrap()
        .build();
    let wat = COMPONENT.replace("{types}", &common::filesystem_types());
    let (mut store, instance) = common::instantiate(&wat, ctx);
    let f = instance.func(&store, "read-all").unwrap();
    let args = [
        Val::String(path.into()),
        Val::U64(offset),
        Val::U64(chunk),
        Val::Bool(blocking),
    ];
    match f.call(&mut store, &args) {
        Ok(Some(Val::List(items))) => items
            .into_iter()
            .map(|v| match v {
                Val::U8(b) => b,
                other => panic!("not a byte: {other:?}"),
            })
            .collect(),
        other => panic!("read-all({path:?}, {offset}, {chunk}, {blocking}) returned {other:?}"),
    }
}

/// Bytes that differ from one position to the next (a linear congruential sequence).
fn content(len: usize) -> Vec<u8> {
    let mut x: u32 = 12345;
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect()
}

#[test]
fn files_read_through_streams_whole_and_from_an_offset() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("file-streams");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // Larger than `READ_MAX` (1 MiB), so a large request is cut short and continued.
    let data = content(1_300_000);
    std::fs::write(dir.join("data.bin"), &data).unwrap();
    std::fs::write(dir.join("empty"), b"").unwrap();
    for blocking in [true, false] {
        for chunk in [1, 4096, 65536, 1 << 24] {
            if chunk == 1 && data.len() > 100_000 {
                // A byte a call is slow in a debug build: read a short tail that way.
                let offset = data.len() as u64 - 3000;
                let got = read_all(&dir, "data.bin", offset, 1, blocking);
                assert_eq!(got, data[offset as usize..], "chunk 1, blocking {blocking}");
                continue;
            }
            let got = read_all(&dir, "data.bin", 0, chunk, blocking);
            assert!(
                got == data,
                "chunk {chunk}, blocking {blocking}: {} bytes",
                got.len()
            );
            let got = read_all(&dir, "data.bin", 777_777, chunk, blocking);
            assert!(
                got == data[777_777..],
                "offset 777777, chunk {chunk}, blocking {blocking}"
            );
        }
        // An empty file, and an offset at and past the end: closed at once.
        assert!(read_all(&dir, "empty", 0, 100, blocking).is_empty());
        let end = data.len() as u64;
        assert!(read_all(&dir, "data.bin", end, 100, blocking).is_empty());
        assert!(read_all(&dir, "data.bin", end + 5, 100, blocking).is_empty());
    }
}
