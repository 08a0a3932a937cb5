;; A binary WIT package whose two worlds import one interface, `a:dep/doc`, each with its own
;; spelling of a function: `f` in one, `F` in the other. Both are valid names, but WIT cannot
;; hold both in one interface, so the decoder refuses rather than print WIT that would not
;; resolve. (Found by the `component` fuzz target.)
(component
  (type $w1 (component
    (type (component
      (type $doc (instance (type (func)) (export "f" (func (type 0)))))
      (import "a:dep/doc" (instance (type $doc)))
    ))
    (export "a:b/w1" (component (type 0)))
  ))
  (export "w1" (type $w1))
  (type $w2 (component
    (type (component
      (type $doc (instance (type (func)) (export "F" (func (type 0)))))
      (import "a:dep/doc" (instance (type $doc)))
    ))
    (export "a:b/w2" (component (type 0)))
  ))
  (export "w2" (type $w2))
)
