(component
  (import "test:demo/error" (instance $e (export "error" (type (sub resource)))))
  (alias export $e "error" (type $err))
  (import "test:demo/streams" (instance $s
    (export "error" (type $e2 (eq $err)))
    (export "stream" (type $st (sub resource)))
    (export "[method]stream.write" (func (param "self" (borrow $st)) (param "n" u32) (result u32)))
    (export "last-error" (func (result (own $e2))))))
  (core module $m (func (export "get") (result i32) i32.const 41))
  (core instance $i (instantiate $m))
  (func $get (result u32) (canon lift (core func $i "get")))
  (instance $x (export "get" (func $get)))
  (export "test:demo/answer" (instance $x))
)
