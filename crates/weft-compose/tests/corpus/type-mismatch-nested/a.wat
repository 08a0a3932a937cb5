(component
  (core module $m (func (export "f") (param i32 i32)) (memory (export "memory") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 0))
  (core instance $i (instantiate $m))
  (type $rec (record (field "xs" (list (tuple u32 u32)))))
  (func $f (param "r" $rec) (canon lift (core func $i "f") (memory (core memory $i "memory")) (realloc (core func $i "realloc"))))
  (instance $api (export "rec" (type $rec)) (export "f" (func $f)))
  (export "test:x/api" (instance $api)))
