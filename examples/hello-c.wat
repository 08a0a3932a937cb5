;; "hello, world" as clang and wasi-libc build it for WASI preview 1 (wasm32-wasip1), cut down
;; to what matters here: a `_start` command that imports `wasi_snapshot_preview1` functions.
;;
;;   weft new examples/hello-c.wat -o hello-c.wasm
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 2)
  ;; 0: one iovec {buf, len}; 8: bytes written; 16: the text.
  (data (i32.const 0) "\10\00\00\00\0d\00\00\00")
  (data (i32.const 16) "hello, world\n")
  (func (export "_start")
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $proc_exit (i32.const 0)))
)
