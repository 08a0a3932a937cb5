;; A core module built against a world: `weft embed` adds its `component-type` section, which
;; `weft inspect` shows as WIT.
;;
;; PREP: embed % --wit %dir/support/greeter.wit --string-encoding utf16 -o %tmp/embedded.wasm
;; RUN: inspect %tmp/embedded.wasm
;; RUN[json]: inspect %tmp/embedded.wasm --json
(module
  (import "demo:greeter/logging@0.1.0" "log" (func (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
  (func (export "greet") (param i32 i32) (result i32) i32.const 0)
)
