(component
  (core module $m (func (export "area") (param i32 i64) (result i32) i32.const 0))
  (core instance $i (instantiate $m))
  (type $p (record (field "x" u32) (field "y" u64)))
  (func $area (param "p" $p) (result u32) (canon lift (core func $i "area")))
  (instance $x (export "point" (type $p)) (export "area" (func $area)))
  (export "test:demo/shapes2" (instance $x))
)
