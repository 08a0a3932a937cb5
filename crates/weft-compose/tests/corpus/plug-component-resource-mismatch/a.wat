(component
  (component $c
    (import "r" (type $r (sub resource)))
    (type $r2 (resource (rep i32)))
    (export "r2" (type $r2)))
  (export "c" (component $c))
)
