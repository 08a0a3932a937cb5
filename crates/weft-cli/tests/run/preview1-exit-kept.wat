;; A preview1 program exiting with `proc_exit(125)`: the status is weft's, as under wasmtime.
;;
;; FAIL(125)[kept]: run %
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $proc_exit (i32.const 125))))
