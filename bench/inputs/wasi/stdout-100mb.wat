;; Writes 100 MiB (25,600 blocking-write-and-flush calls of 4 KiB) to stdout through
;; wasi:cli/stdout and wasi:io/streams 0.2.0, then returns ok from wasi:cli/run: the
;; stdout-100mb case of bench/wasi.sh.
(component
  (import "wasi:io/error@0.2.0" (instance $err (export "error" (type (sub resource)))))
  (alias export $err "error" (type $error))
  (import "wasi:io/streams@0.2.0" (instance $streams
    (export "output-stream" (type $os (sub resource)))
    (alias outer 1 $error (type $e))
    (export "error" (type $e2 (eq $e)))
    (type $se (variant (case "last-operation-failed" (own $e2)) (case "closed")))
    (export "stream-error" (type $se2 (eq $se)))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $os)) (param "contents" (list u8)) (result (result (error $se2)))))
  ))
  (alias export $streams "output-stream" (type $output-stream))
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (alias outer 1 $output-stream (type $o))
    (export "output-stream" (type $o2 (eq $o)))
    (export "get-stdout" (func (result (own $o2))))))
  (core module $mem (memory (export "mem") 2))
  (core instance $mem (instantiate $mem))
  (alias core export $mem "mem" (core memory $m))
  (core func $get (canon lower (func $stdout "get-stdout")))
  (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush") (memory $m)))
  (core module $main
    (import "" "get" (func $get (result i32)))
    (import "" "write" (func $write (param i32 i32 i32 i32)))
    (import "" "mem" (memory 1))
    (func (export "run") (result i32)
      (local $s i32) (local $i i32)
      (local.set $s (call $get))
      (memory.fill (i32.const 0) (i32.const 65) (i32.const 4096))
      (loop $l
        (call $write (local.get $s) (i32.const 0) (i32.const 4096) (i32.const 8192))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const 25600))))
      (i32.const 0)))
  (core instance $i (instantiate $main (with "" (instance
    (export "get" (func $get)) (export "write" (func $write)) (export "mem" (memory $m))))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run-inst))
)
