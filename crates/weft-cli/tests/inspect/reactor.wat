;; A preview1 reactor that also imports from `env`: no `_start`, so the reactor adapter; the
;; `env` import needs a world, which it does not have yet.
;;
;; RUN: inspect %
(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "env" "host_add" (func (param i32 i32) (result i32)))
  (import "env" "memory" (memory 1 16))
  (global (export "counter") (mut i32) (i32.const 0))
  (table (export "table") 1 funcref)
  (func (export "_initialize"))
  (func (export "add") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add)
)
