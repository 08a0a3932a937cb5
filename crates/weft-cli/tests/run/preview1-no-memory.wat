;; A WASI preview1 program that does not export its memory: one line saying that preview1
;; modules must.
;;
;; FAIL: run %
(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (func (export "_start")))
