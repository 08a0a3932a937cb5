;; Two components import the same component type, and one definition plugs both: each
;; check matches the type's resources afresh.
(component
  (import "c" (component
    (import "r" (type $r (sub resource)))
    (export "size" (func (param "x" (borrow $r)) (result u32)))))
  (import "test:demo/answer" (instance $a (export "get" (func (result u32)))))
)
