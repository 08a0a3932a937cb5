;; A preview1 command, as clang + wasi-libc make it: `_start`, WASI preview1 imports, no
;; `component-type` section.
;;
;; RUN: inspect %
;; RUN[json]: inspect % --json
(module $hello
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 2)
  (func (export "_start")
    i32.const 1
    i32.const 0
    i32.const 1
    i32.const 8
    call $fd_write
    call $proc_exit)
  (@producers
    (language "C11" "")
    (processed-by "clang" "18.1.8"))
)
