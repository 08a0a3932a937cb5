;; A component whose export takes an `own` where the import asks for a `borrow`.
(component
  (import "m" (core module
    (import "env" "f" (func (param i32) (result i32)))
    (export "g" (func (param i64)))
    (export "t" (table 1 funcref))))
  (import "c" (component
    (import "log" (func (param "msg" string)))
    (import "r" (type $r (sub resource)))
    (export "size" (func (param "x" (borrow $r)) (result u32)))))
)
