;; Flag spellings of `weft new`: wasm-tools' `compact-utf16` is `latin1+utf16`, and an
;; `--adapt` with an empty name before `=` is refused with a fix.
;;
;; PREP: embed % --wit %dir/support/greeter.wit --string-encoding compact-utf16 -o %tmp/embedded.wasm
;; RUN[encoding]: new %tmp/embedded.wasm --string-encoding compact-utf16 -o %tmp/component.wasm
;; FAIL[adapt]: new %tmp/embedded.wasm --adapt =adapter.wasm -o %tmp/component.wasm
(module
  (import "demo:greeter/logging@0.1.0" "log" (func (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
  (func (export "greet") (param i32 i32) (result i32) i32.const 0)
)
