(component
  (import "c" (component
    (import "r" (type $r (sub resource)))
    (export "size" (func (param "x" (borrow $r)) (result u32)))))
  (core module $m (func (export "get") (result i32) i32.const 42))
  (core instance $i (instantiate $m))
  (func $get (result u32) (canon lift (core func $i "get")))
  (instance $inst (export "get" (func $get)))
  (export "test:demo/answer" (instance $inst))
)
