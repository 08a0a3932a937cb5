;; An import that stays unresolved defines a resource and an alias of it (`type trailers =
;; fields`, as wasi:http/types does): the result's import keeps `fields` for the functions of
;; `fields` (an alias must not take over the resource's name).
(component
  (import "test:demo/types" (instance $t
    (export "fields" (type $f (sub resource)))
    (export "trailers" (type $tr (eq $f)))
    (export "[constructor]fields" (func (result (own $f))))
    (export "finish" (func (param "t" (own $tr))))))
  (import "test:demo/answer" (instance $a (export "get" (func (result u32)))))
  (alias export $a "get" (func $get))
  (core func $g (canon lower (func $get)))
  (core module $m
    (import "a" "get" (func $get (result i32)))
    (func (export "run") (result i32) call $get))
  (core instance $i (instantiate $m (with "a" (instance (export "get" (func $g))))))
  (func $run (result u32) (canon lift (core func $i "run")))
  (export "run" (func $run))
)
