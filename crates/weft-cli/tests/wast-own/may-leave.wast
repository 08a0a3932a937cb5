;; `may_leave`: while a post-return or a `realloc` runs, its instance may not leave (spec
;; `canon_lower`, `canon_resource_new` and `canon_resource_drop` all start with
;; `trap_if(not inst.may_leave)`, and `canon_lift`/`LiftLowerContext.reallocate` clear
;; `may_leave` around the post-return and `realloc` calls).
(component definition $Leave
  (component $C
    (core module $M (func (export "g")))
    (core instance $m (instantiate $M))
    (func (export "g") (canon lift (core func $m "g"))))
  (component $D
    (import "g" (func $g))
    (type $R (resource (rep i32)))
    (core func $g' (canon lower (func $g)))
    (core func $new (canon resource.new $R))
    (core func $drop (canon resource.drop $R))
    (core module $DM
      (import "" "g" (func $g))
      (import "" "new" (func $new (param i32) (result i32)))
      (import "" "drop" (func $drop (param i32)))
      (memory (export "mem") 1)
      (global $h (mut i32) (i32.const 0))
      (func (export "f") (result i32) (i32.const 1))
      (func (export "make") (result i32) (global.set $h (call $new (i32.const 1))) (i32.const 1))
      (func (export "call-import") (param i32) (call $g))
      (func (export "resource-new") (param i32) (drop (call $new (i32.const 1))))
      (func (export "resource-drop") (param i32) (call $drop (global.get $h)))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) (call $g) (i32.const 64))
      (func (export "len") (param i32 i32) (result i32) (local.get 1)))
    (core instance $dm (instantiate $DM (with "" (instance
      (export "g" (func $g')) (export "new" (func $new)) (export "drop" (func $drop))))))
    (func (export "call-import") (result u32)
      (canon lift (core func $dm "f") (post-return (core func $dm "call-import"))))
    (func (export "resource-new") (result u32)
      (canon lift (core func $dm "f") (post-return (core func $dm "resource-new"))))
    (func (export "resource-drop") (result u32)
      (canon lift (core func $dm "make") (post-return (core func $dm "resource-drop"))))
    (func (export "realloc-calls-import") (param "s" string) (result u32)
      (canon lift (core func $dm "len") (memory (core memory $dm "mem")) (realloc (core func $dm "realloc")))))
  (instance $c (instantiate $C))
  (instance $d (instantiate $D (with "g" (func $c "g"))))
  (export "d" (instance $d))
)
;; a post-return calling a lowered import must trap.
(component instance $l $Leave)
(assert_trap (invoke "d#call-import") "cannot leave component instance")
;; a post-return calling `resource.new` must trap.
(component instance $l $Leave)
(assert_trap (invoke "d#resource-new") "cannot leave component instance")
;; a post-return calling `resource.drop` must trap.
(component instance $l $Leave)
(assert_trap (invoke "d#resource-drop") "cannot leave component instance")
;; a `realloc` (lowering a host string) calling a lowered import must trap.
(component instance $l $Leave)
(assert_trap (invoke "d#realloc-calls-import" (str.const "x")) "cannot leave component instance")

