(component
  (type $point' (record (field "x" s32) (field "y" s32)))
  (export $point "point" (type $point'))
  (core module $m (func (export "get") (result i32) i32.const 41))
  (core instance $i (instantiate $m))
  (func $get (result u32) (canon lift (core func $i "get")))
  (instance $x (export "get" (func $get)))
  (export "test:demo/answer" (instance $x))
)
