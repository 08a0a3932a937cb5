(component
  (import "test:demo/base" (instance $b (export "get" (func (result u32)))))
  (alias export $b "get" (func $base))
  (core func $g (canon lower (func $base)))
  (core module $m
    (import "b" "get" (func $get (result i32)))
    (func (export "get") (result i32) call $get i32.const 10 i32.add))
  (core instance $i (instantiate $m (with "b" (instance (export "get" (func $g))))))
  (func $get (result u32) (canon lift (core func $i "get")))
  (instance $x (export "get" (func $get)))
  (export "test:demo/answer" (instance $x))
)
