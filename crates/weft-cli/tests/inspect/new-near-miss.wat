;; `weft new` on a module whose export is misspelt: the error shows the WIT function with its
;; signature and points at the export the module has.
;;
;; PREP: embed % --wit %dir/support/greeter.wit -o %tmp/embedded.wasm
;; FAIL: new %tmp/embedded.wasm -o %tmp/component.wasm
(module
  (import "demo:greeter/logging@0.1.0" "log" (func (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
  (func (export "gret") (param i32 i32) (result i32) i32.const 0)
)
