;; A core module for `world hello`: imports lowered, `greet` lifted, in the legacy naming
;; wit-component accepts. The bodies are stubs; only the types matter here.
(module
  (import "example:hello/logging@0.1.0" "log" (func $log (param i32 i32)))
  (import "$root" "now" (func $now (result i64)))
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    i32.const 0)
  (func (export "greet") (param i32 i32) (result i32)
    i32.const 0)
  (func (export "cabi_post_greet") (param i32))
)
