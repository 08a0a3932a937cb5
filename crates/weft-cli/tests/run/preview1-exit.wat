;; A preview1 program exiting with `proc_exit(200)`: as under wasmtime, a status from 126 up
;; (which shells reserve) is refused and weft exits with 1, saying why. (A component calling
;; `exit-with-code(200)` itself exits with 200.)
;;
;; FAIL[200]: run %
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $proc_exit (i32.const 200))))
