;; Two components import the same component type and nothing plugs it: one import of the
;; result serves both.
(component
  (import "c" (component
    (import "r" (type $r (sub resource)))
    (export "size" (func (param "x" (borrow $r)) (result u32)))))
  (import "test:demo/answer" (instance $a (export "get" (func (result u32)))))
)
