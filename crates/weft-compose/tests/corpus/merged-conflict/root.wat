;; The root and its definition both import `test:demo/env`, with different types for the same
;; function: one import of the result cannot serve both.
(component
  (import "test:demo/env" (instance $env (export "get-args" (func (result u32)))))
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
