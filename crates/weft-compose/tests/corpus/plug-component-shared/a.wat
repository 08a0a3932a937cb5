(component
  (core module $m
    (import "env" "f" (func (param i32) (result i32)))
    (func (export "g") (param i64))
    (table (export "t") 2 funcref)
    (func (export "extra")))
  (export "m" (core module $m))
  (component $c
    (import "r" (type $r (sub resource)))
    (core module $cm (func (export "size") (param i32) (result i32) i32.const 3))
    (core instance $ci (instantiate $cm))
    (func (export "size") (param "x" (borrow $r)) (result u32)
      (canon lift (core func $ci "size"))))
  (export "c" (component $c))
)
