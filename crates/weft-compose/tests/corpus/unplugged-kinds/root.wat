;; Imports WIT cannot describe stay imports of the result, with the types the root gave them:
;; a core module, a value and a component (its own imports, a resource, a named record).
;; Only `test:demo/answer` is plugged.
(component
  (import "m" (core module
    (import "env" "f" (func (param i32) (result i32)))
    (import "env" "mem" (memory 1))
    (export "g" (func (param i64)))
    (export "t" (table 1 funcref))
    (export "gl" (global (mut i32)))))
  (import "v" (value $v u32))
  (import "c" (component $c
    (import "log" (func (param "msg" string)))
    (import "r" (type $r (sub resource)))
    (export "make" (func (result (own $r))))
    (export "size" (func (param "x" (borrow $r)) (result u32)))
    (type $p (record (field "a" u32) (field "b" string)))
    (export "p" (type $pe (eq $p)))
    (export "get" (func (result $pe)))))
  (import "test:demo/answer" (instance $a (export "get" (func (result u32)))))
  (alias export $a "get" (func $get))
  (export "run" (func $get))
  (export "v2" (value $v))
  (export "cc" (component $c))
)
