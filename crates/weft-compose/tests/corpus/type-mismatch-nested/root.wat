;; A mismatch deep inside a type: the error walks the path to it (field, list, tuple item).
(component
  (import "test:x/api" (instance
    (type $rec (record (field "xs" (list (tuple u32 string)))))
    (export "rec" (type $r (eq $rec)))
    (export "f" (func (param "r" $r))))))
