(component
  (type $r (resource (rep i32)))
  (core func $new (canon resource.new $r))
  (core module $m
    (import "" "new" (func $new (param i32) (result i32)))
    (func (export "make") (param i32) (result i32) local.get 0 call $new)
    (func (export "value") (param i32) (result i32) local.get 0 i32.const 100 i32.mul))
  (core instance $i (instantiate $m (with "" (instance (export "new" (func $new))))))
  (func $make (param "v" u32) (result (own $r)) (canon lift (core func $i "make")))
  (func $value (param "self" (borrow $r)) (result u32) (canon lift (core func $i "value")))
  (component $shim
    (import "r" (type $r (sub resource)))
    (import "make" (func $make (param "v" u32) (result (own $r))))
    (import "value" (func $value (param "self" (borrow $r)) (result u32)))
    (export $re "counter" (type $r))
    (export "[constructor]counter" (func $make) (func (param "v" u32) (result (own $re))))
    (export "[method]counter.value" (func $value) (func (param "self" (borrow $re)) (result u32))))
  (instance $inst (instantiate $shim
    (with "r" (type $r)) (with "make" (func $make)) (with "value" (func $value))))
  (export "test:demo/counters" (instance $inst))
)
