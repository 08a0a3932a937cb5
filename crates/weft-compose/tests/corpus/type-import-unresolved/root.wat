;; A root that imports types by themselves (a record, as componentize-py's world-level types
;; are, and a resource) and a function using both, which no definition provides: they stay
;; imports of the result, and the function import and an export refer to the imported types.
(component
  (type $point' (record (field "x" s32) (field "y" s32)))
  (import "point" (type $point (eq $point')))
  (import "handle" (type $handle (sub resource)))
  (import "make" (func $make (param "p" $point) (result (own $handle))))
  (import "test:demo/answer" (instance $a (export "get" (func (result u32)))))
  (alias export $a "get" (func $get))
  (core func $g (canon lower (func $get)))
  (core module $m
    (import "a" "get" (func $get (result i32)))
    (func (export "run") (result i32) call $get i32.const 1 i32.add)
    (func (export "norm") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
  (core instance $i (instantiate $m (with "a" (instance (export "get" (func $g))))))
  (func $run (result u32) (canon lift (core func $i "run")))
  (func $norm (param "p" $point) (result u32) (canon lift (core func $i "norm")))
  (export "run" (func $run))
  (export "norm" (func $norm))
)
