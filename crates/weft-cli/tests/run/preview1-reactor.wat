;; A WASI preview1 reactor (it imports preview1 and exports `_initialize`, but no `_start`):
;; nothing to run, and its exports have no WIT types; the error says so, and how to give it
;; a world.
;;
;; FAIL[run]: run %
;; FAIL[invoke]: run --invoke add(1,2) %
(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_initialize"))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
