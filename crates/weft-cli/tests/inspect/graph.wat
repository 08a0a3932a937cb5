;; `--graph`: the instance graph of a composition (this root, whose `test:demo/answer` is
;; plugged by support/graph-a.wat, whose `test:demo/base` is plugged by support/graph-b.wat),
;; of a component that is not composed (component.wat: core instances, lowered imports,
;; lifted exports), and of a core module, which has none.
;;
;; PREP: compose % -d %dir/support/graph-a.wat %dir/support/graph-b.wat -o %tmp/composed.wasm
;; RUN: inspect %tmp/composed.wasm --graph
;; RUN[component]: inspect %dir/component.wat --graph
;; FAIL[module]: inspect %dir/preview1.wat --graph
(component
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
