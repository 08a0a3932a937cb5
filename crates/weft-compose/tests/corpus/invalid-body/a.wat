;; A definition whose core code does not validate: `get` adds with one operand. Only its
;; structure is read before composing; the error is found validating its function bodies
;; (on another thread) and names it, not the composed component.
(component
  (core module $m (func (export "get") (result i32) i32.const 41 i32.add))
  (core instance $i (instantiate $m))
  (func $get (result u32) (canon lift (core func $i "get")))
  (instance $x (export "get" (func $get)))
  (export "test:demo/answer" (instance $x))
)
