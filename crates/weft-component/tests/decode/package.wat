(component
  (type $x (component
    (export "a:b/x" (instance))
  ))
  (export "x" (type $x))
)
