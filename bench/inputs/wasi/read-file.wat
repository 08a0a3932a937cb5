;; Reads the file `data.bin` from the first preopened directory in 64 KiB blocking reads
;; until the stream is closed, then prints the number of bytes read (and a newline) to
;; stdout and returns ok from wasi:cli/run: the read-100mb case of bench/wasi.sh.
;;
;;   wasmtime run --dir DIR::/ read-file.wat        weft run --dir DIR::/ read-file.wat
;;
;; WASI 0.2.0 functions used: wasi:filesystem/preopens get-directories, wasi:filesystem/types
;; descriptor.open-at and descriptor.read-via-stream, wasi:io/streams input-stream.blocking-read
;; and output-stream.blocking-write-and-flush, wasi:cli/stdout get-stdout. Any error traps
;; (`unreachable`), so both tools exit non-zero.
;;
;; Two of the lowered functions return lists (get-directories, blocking-read), which the host
;; writes into guest memory through `cabi_realloc`. Since the lowered functions must exist
;; before the core module that calls them is instantiated, the memory and the allocator live in
;; a small core module of their own ($alloc), instantiated first: a bump allocator whose pointer
;; is an exported mutable global, which $main resets before each read (each chunk is counted,
;; then forgotten), so memory stays at about 64 KiB however large the file.
(component
  ;; Types, as in stdout-100mb.wat: each resource is exported by the instance that defines
  ;; it and re-exported as `(eq …)` of its alias by the instances that `use` it.
  (import "wasi:io/error@0.2.0" (instance $err (export "error" (type (sub resource)))))
  (alias export $err "error" (type $error))
  (import "wasi:io/streams@0.2.0" (instance $streams
    (export "input-stream" (type $is (sub resource)))
    (export "output-stream" (type $os (sub resource)))
    (alias outer 1 $error (type $e))
    (export "error" (type $e2 (eq $e)))
    (type $se (variant (case "last-operation-failed" (own $e2)) (case "closed")))
    (export "stream-error" (type $se2 (eq $se)))
    (export "[method]input-stream.blocking-read"
      (func (param "self" (borrow $is)) (param "len" u64) (result (result (list u8) (error $se2)))))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $os)) (param "contents" (list u8)) (result (result (error $se2)))))
  ))
  (alias export $streams "input-stream" (type $input-stream))
  (alias export $streams "output-stream" (type $output-stream))
  (import "wasi:filesystem/types@0.2.0" (instance $types
    (alias outer 1 $input-stream (type $i))
    (export "input-stream" (type $i2 (eq $i)))
    (export "descriptor" (type $d (sub resource)))
    (type $ec (enum "access" "would-block" "already" "bad-descriptor" "busy" "deadlock" "quota"
      "exist" "file-too-large" "illegal-byte-sequence" "in-progress" "interrupted" "invalid" "io"
      "is-directory" "loop" "too-many-links" "message-size" "name-too-long" "no-device"
      "no-entry" "no-lock" "insufficient-memory" "insufficient-space" "not-directory"
      "not-empty" "not-recoverable" "unsupported" "no-tty" "no-such-device" "overflow"
      "not-permitted" "pipe" "read-only" "invalid-seek" "text-file-busy" "cross-device"))
    (export "error-code" (type $ec2 (eq $ec)))
    (type $pf (flags "symlink-follow"))
    (export "path-flags" (type $pf2 (eq $pf)))
    (type $of (flags "create" "directory" "exclusive" "truncate"))
    (export "open-flags" (type $of2 (eq $of)))
    (type $df (flags "read" "write" "file-integrity-sync" "data-integrity-sync"
      "requested-write-sync" "mutate-directory"))
    (export "descriptor-flags" (type $df2 (eq $df)))
    (export "[method]descriptor.read-via-stream"
      (func (param "self" (borrow $d)) (param "offset" u64) (result (result (own $i2) (error $ec2)))))
    (export "[method]descriptor.open-at"
      (func (param "self" (borrow $d)) (param "path-flags" $pf2) (param "path" string)
        (param "open-flags" $of2) (param "flags" $df2) (result (result (own $d) (error $ec2)))))
  ))
  (alias export $types "descriptor" (type $descriptor))
  (import "wasi:filesystem/preopens@0.2.0" (instance $preopens
    (alias outer 1 $descriptor (type $d))
    (export "descriptor" (type $d2 (eq $d)))
    (export "get-directories" (func (result (list (tuple (own $d2) string)))))))
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (alias outer 1 $output-stream (type $o))
    (export "output-stream" (type $o2 (eq $o)))
    (export "get-stdout" (func (result (own $o2))))))

  ;; Memory and the canonical ABI's allocator. Bytes 0–1023 are $main's (return areas, the
  ;; path, the printed number); allocations start at 1024.
  (core module $alloc
    (memory (export "memory") 2)
    (global $bump (export "bump") (mut i32) (i32.const 1024))
    ;; cabi_realloc(old, old-size, align, new-size): only ever asked for fresh blocks here.
    (func (export "cabi_realloc") (param $old i32) (param $old-size i32) (param $align i32)
      (param $size i32) (result i32)
      (local $p i32) (local $end i32) (local $have i32)
      (if (local.get $old) (then unreachable))
      ;; $p = $bump rounded up to $align (a power of two)
      (local.set $p (i32.and
        (i32.add (global.get $bump) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
      (local.set $end (i32.add (local.get $p) (local.get $size)))
      ;; grow the memory by as many 64 KiB pages as the block lacks
      (local.set $have (i32.shl (memory.size) (i32.const 16)))
      (if (i32.gt_u (local.get $end) (local.get $have))
        (then
          (if (i32.eq
                (memory.grow (i32.shr_u
                  (i32.add (i32.sub (local.get $end) (local.get $have)) (i32.const 65535))
                  (i32.const 16)))
                (i32.const -1))
            (then unreachable))))
      (global.set $bump (local.get $end))
      (local.get $p)))
  (core instance $alloc (instantiate $alloc))
  (alias core export $alloc "memory" (core memory $m))
  (alias core export $alloc "cabi_realloc" (core func $realloc))
  (alias core export $alloc "bump" (core global $bump))

  ;; Lowered imports. Results that do not fit in one core value come back through a return
  ;; area, the last parameter.
  (core func $get-directories (canon lower (func $preopens "get-directories")
    (memory $m) (realloc $realloc)))                                      ;; (retptr)
  (core func $open-at (canon lower (func $types "[method]descriptor.open-at")
    (memory $m) string-encoding=utf8))      ;; (self, path-flags, path, path-len, open-flags, flags, retptr)
  (core func $read-via-stream (canon lower (func $types "[method]descriptor.read-via-stream")
    (memory $m)))                                                         ;; (self, offset, retptr)
  (core func $blocking-read (canon lower (func $streams "[method]input-stream.blocking-read")
    (memory $m) (realloc $realloc)))                                      ;; (self, len, retptr)
  (core func $get-stdout (canon lower (func $stdout "get-stdout")))      ;; () -> handle
  (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush")
    (memory $m)))                                                         ;; (self, ptr, len, retptr)

  (core module $main
    (import "" "get-directories" (func $get-directories (param i32)))
    (import "" "open-at" (func $open-at (param i32 i32 i32 i32 i32 i32 i32)))
    (import "" "read-via-stream" (func $read-via-stream (param i32 i64 i32)))
    (import "" "blocking-read" (func $blocking-read (param i32 i64 i32)))
    (import "" "get-stdout" (func $get-stdout (result i32)))
    (import "" "write" (func $write (param i32 i32 i32 i32)))
    (import "" "memory" (memory 1))
    (import "" "bump" (global $bump (mut i32)))
    ;; The return area is at 0 (16 bytes); the path at 32.
    (data (i32.const 32) "data.bin")
    (func (export "run") (result i32)
      (local $dir i32) (local $file i32) (local $in i32) (local $mark i32)
      (local $total i64) (local $p i32)
      ;; get-directories: list<tuple<descriptor, string>> as (ptr, len) at 0; take the first
      ;; element's descriptor (each element: handle, string ptr, string len).
      (call $get-directories (i32.const 0))
      (if (i32.eqz (i32.load offset=4 (i32.const 0))) (then unreachable))
      (local.set $dir (i32.load (i32.load (i32.const 0))))
      ;; open-at(dir, path-flags {}, "data.bin", open-flags {}, descriptor-flags {read}):
      ;; result<descriptor, error-code> as (discriminant u8 at 0, payload at 4).
      (call $open-at (local.get $dir) (i32.const 0) (i32.const 32) (i32.const 8)
        (i32.const 0) (i32.const 1) (i32.const 0))
      (if (i32.load8_u (i32.const 0)) (then unreachable))
      (local.set $file (i32.load offset=4 (i32.const 0)))
      ;; read-via-stream(file, 0): result<input-stream, error-code>, laid out the same way.
      (call $read-via-stream (local.get $file) (i64.const 0) (i32.const 0))
      (if (i32.load8_u (i32.const 0)) (then unreachable))
      (local.set $in (i32.load offset=4 (i32.const 0)))
      ;; blocking-read(in, 65536) until closed: result<list<u8>, stream-error> is the
      ;; discriminant at 0, then either the list (ptr at 4, len at 8) or the stream-error
      ;; (its case at 4: 0 last-operation-failed, 1 closed).
      (local.set $mark (global.get $bump))
      (block $done
        (loop $read
          (global.set $bump (local.get $mark))  ;; the previous chunk is no longer needed
          (call $blocking-read (local.get $in) (i64.const 65536) (i32.const 0))
          (if (i32.load8_u (i32.const 0))
            (then
              (br_if $done (i32.eq (i32.load8_u offset=4 (i32.const 0)) (i32.const 1)))
              unreachable))
          (local.set $total
            (i64.add (local.get $total) (i64.extend_i32_u (i32.load offset=8 (i32.const 0)))))
          (br $read)))
      ;; The total in decimal and a newline, written backwards so that it ends at 96.
      (local.set $p (i32.const 95))
      (i32.store8 (i32.const 95) (i32.const 10))
      (loop $digit
        (local.set $p (i32.sub (local.get $p) (i32.const 1)))
        (i32.store8 (local.get $p)
          (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $total) (i64.const 10)))))
        (local.set $total (i64.div_u (local.get $total) (i64.const 10)))
        (br_if $digit (i64.ne (local.get $total) (i64.const 0))))
      (call $write (call $get-stdout) (local.get $p) (i32.sub (i32.const 96) (local.get $p))
        (i32.const 0))
      (if (i32.load8_u (i32.const 0)) (then unreachable))
      (i32.const 0)))
  (core instance $i (instantiate $main (with "" (instance
    (export "get-directories" (func $get-directories))
    (export "open-at" (func $open-at))
    (export "read-via-stream" (func $read-via-stream))
    (export "blocking-read" (func $blocking-read))
    (export "get-stdout" (func $get-stdout))
    (export "write" (func $write))
    (export "memory" (memory $m))
    (export "bump" (global $bump))))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run-inst))
)
