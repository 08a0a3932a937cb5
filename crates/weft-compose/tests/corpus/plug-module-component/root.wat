;; Core module and component imports plugged by a definition's exports, type-checked by the
;; spec's subtyping: the module may export more and have a larger table; the component may
;; import less than the import's type gives it; resources match up through the component
;; type's own import.
(component
  (import "m" (core module
    (import "env" "f" (func (param i32) (result i32)))
    (export "g" (func (param i64)))
    (export "t" (table 1 funcref))))
  (import "c" (component
    (import "log" (func (param "msg" string)))
    (import "r" (type $r (sub resource)))
    (export "size" (func (param "x" (borrow $r)) (result u32)))))
)
