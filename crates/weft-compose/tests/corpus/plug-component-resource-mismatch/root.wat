;; The import's component type exports its imported resource again; the definition's
;; exports a new one, which is not the same type.
(component
  (import "c" (component
    (import "r" (type $r (sub resource)))
    (export "r2" (type (eq $r)))))
)
