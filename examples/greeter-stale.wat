;; `examples/greeter.wat` as it was built against an older `weft:types`, in which `log` took only
;; a message: its import no longer matches the world in `examples/hello`, and `weft new` says
;; which WIT function it is and what the core signature should be.
;;
;;   weft new examples/greeter-stale.wat --wit examples/hello -o greeter.wasm
(module
  ;; Was `log: func(message: string)`; now `log: func(level: level, message: string)`.
  (import "weft:types/log@0.1.0" "log" (func $log (param i32 i32)))
  (import "[export]weft:hello/greet@0.1.0" "[resource-new]greeter"
    (func $greeter-new (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (i32.const 1024))
)
