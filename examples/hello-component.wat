;; A component written by hand: `greet(name: string) -> string`, with its own memory and
;; `realloc`, and `count() -> u32`, the number of greetings so far.
;;
;;   weft run --invoke 'greet("Ada")' examples/hello-component.wat
(component
  (core module $m
    (memory (export "memory") 1)
    ;; A bump allocator for the strings weft passes in.
    (global $next (mut i32) (i32.const 4096))
    (global $count (mut i32) (i32.const 0))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $ptr i32)
      (local.set $ptr (global.get $next))
      (global.set $next (i32.add (global.get $next) (local.get 3)))
      (local.get $ptr))
    (data (i32.const 16) "Hello, ")
    ;; "Hello, " + name + "!" at 1024; (pointer, length) returned at 8.
    (func (export "greet") (param $ptr i32) (param $len i32) (result i32)
      (global.set $count (i32.add (global.get $count) (i32.const 1)))
      (memory.copy (i32.const 1024) (i32.const 16) (i32.const 7))
      (memory.copy (i32.const 1031) (local.get $ptr) (local.get $len))
      (i32.store8 (i32.add (i32.const 1031) (local.get $len)) (i32.const 33))
      (i32.store (i32.const 8) (i32.const 1024))
      (i32.store (i32.const 12) (i32.add (local.get $len) (i32.const 8)))
      (i32.const 8))
    (func (export "count") (result i32) (global.get $count)))
  (core instance $i (instantiate $m))
  (func (export "greet") (param "name" string) (result string)
    (canon lift (core func $i "greet")
      (memory (core memory $i "memory")) (realloc (core func $i "realloc"))))
  (func (export "count") (result u32) (canon lift (core func $i "count"))))
