(component
  (import "test:demo/shapes" (instance $s
    (type $p (record (field "x" u32) (field "y" u32)))
    (export "point" (type $pt (eq $p)))
    (export "area" (func (param "p" $pt) (result u32)))))
)
