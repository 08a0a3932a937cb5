(component
  (import "test:demo/env" (instance $env (export "get-vars" (func (result u32)))))
  (alias export $env "get-vars" (func $vars))
  (core func $v (canon lower (func $vars)))
  (core module $m
    (import "env" "vars" (func $vars (result i32)))
    (func (export "get") (result i32) call $vars i32.const 41 i32.add))
  (core instance $i (instantiate $m (with "env" (instance (export "vars" (func $v))))))
  (func $get (result u32) (canon lift (core func $i "get")))
  (instance $x (export "get" (func $get)))
  (export "test:demo/answer" (instance $x))
)
