;; A preview1 program exiting with `proc_exit(-1)`: exit status 1, with a message (as for
;; `preview1-exit.wat`).
;;
;; FAIL[negative]: run %
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $proc_exit (i32.const -1))))
