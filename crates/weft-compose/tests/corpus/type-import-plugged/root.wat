;; A root that imports a record type by itself, plugged by a definition's exported type of the
;; same name and shape; the function import that uses it stays an import and refers to the
;; definition's type.
(component
  (type $point' (record (field "x" s32) (field "y" s32)))
  (import "point" (type $point (eq $point')))
  (import "show" (func $show (param "p" $point) (result u32)))
  (import "test:demo/answer" (instance $a (export "get" (func (result u32)))))
  (alias export $a "get" (func $get))
  (core func $g (canon lower (func $get)))
  (core module $m
    (import "a" "get" (func $get (result i32)))
    (func (export "run") (result i32) call $get i32.const 1 i32.add))
  (core instance $i (instantiate $m (with "a" (instance (export "get" (func $g))))))
  (func $run (result u32) (canon lift (core func $i "run")))
  (export "run" (func $run))
)
