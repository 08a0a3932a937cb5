;; A core module built against the `greeter` world of `examples/hello`, laid out the way a
;; bindings generator lays one out: imports by interface name, exports named
;; `interface#function`, a `memory` and a `cabi_realloc`. The code is a hand-written stand-in
;; for a compiled program (every greeting is "hello"), enough to make a component of.
;;
;;   weft new examples/greeter.wat --wit examples/hello -o greeter.wasm
(module
  ;; `log: func(level: level, message: string)` of the imported `weft:types/log`.
  (import "weft:types/log@0.1.0" "log" (func $log (param i32 i32 i32)))
  ;; Makes a handle of the exported resource `greeter` from this module's representation.
  (import "[export]weft:hello/greet@0.1.0" "[resource-new]greeter"
    (func $greeter-new (param i32) (result i32)))

  (memory (export "memory") 1)
  ;; 0..8: where a returned string's pointer and length go; 16: the text "hello".
  (data (i32.const 16) "hello")
  (global $heap (mut i32) (i32.const 1024))

  ;; A bump allocator: weft's lifts call it for strings passed in.
  (func $alloc (export "cabi_realloc")
    (param $old i32) (param $old-size i32) (param $align i32) (param $size i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $size)))
    (local.get $p))

  ;; `constructor(style: style)`: a greeter is 8 bytes, its style and its count.
  (func (export "weft:hello/greet@0.1.0#[constructor]greeter") (param $style i32) (result i32)
    (local $rep i32)
    (local.set $rep (call $alloc (i32.const 0) (i32.const 0) (i32.const 4) (i32.const 8)))
    (i32.store (local.get $rep) (local.get $style))
    (i32.store offset=4 (local.get $rep) (i32.const 0))
    (call $greeter-new (local.get $rep)))

  ;; `greet: func(who: name, lang: language) -> string`, `self` being the representation.
  (func (export "weft:hello/greet@0.1.0#[method]greeter.greet")
    (param $self i32) (param $who i32) (param $who-len i32)
    (param $lang i32) (param $tag i32) (param $tag-len i32) (result i32)
    (i32.store offset=4 (local.get $self)
      (i32.add (i32.load offset=4 (local.get $self)) (i32.const 1)))
    (call $hello (local.get $who) (local.get $who-len)))

  ;; `count: func() -> u32`.
  (func (export "weft:hello/greet@0.1.0#[method]greeter.count") (param $self i32) (result i32)
    (i32.load offset=4 (local.get $self)))

  ;; `hello: func(who: name) -> string`: logs the name at `info`, returns "hello".
  (func $hello (export "weft:hello/greet@0.1.0#hello")
    (param $who i32) (param $who-len i32) (result i32)
    (call $log (i32.const 1) (local.get $who) (local.get $who-len))
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store offset=4 (i32.const 0) (i32.const 5))
    (i32.const 0))
)
