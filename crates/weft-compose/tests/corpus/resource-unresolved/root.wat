(component
  (import "test:demo/counters" (instance $c
    (export "counter" (type $r (sub resource)))
    (export "[constructor]counter" (func (param "v" u32) (result (own $r))))
    (export "[method]counter.value" (func (param "self" (borrow $r)) (result u32)))))
  (alias export $c "counter" (type $counter))
  (alias export $c "[constructor]counter" (func $ctor))
  (alias export $c "[method]counter.value" (func $value))
  (core func $ctor_l (canon lower (func $ctor)))
  (core func $value_l (canon lower (func $value)))
  (core func $drop (canon resource.drop $counter))
  (core module $m
    (import "" "ctor" (func $ctor (param i32) (result i32)))
    (import "" "value" (func $value (param i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (func (export "run") (param i32) (result i32) (local $h i32) (local $v i32)
      local.get 0 call $ctor local.set $h
      local.get $h call $value local.set $v
      local.get $h call $drop
      local.get $v i32.const 1 i32.add))
  (core instance $i (instantiate $m (with "" (instance
    (export "ctor" (func $ctor_l)) (export "value" (func $value_l)) (export "drop" (func $drop))))))
  (func $run (param "v" u32) (result u32) (canon lift (core func $i "run")))
  (export "run" (func $run))
)
