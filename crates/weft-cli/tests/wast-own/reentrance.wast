;; Reentrance between a parent and its child ("donut wrapping"): the parent $P's core code
;; calls its child $C1, which calls back into a function $P lifted; that is not a reentrance of
;; any instance (the spec's `may_enter_from` subtracts the instances the caller is already in),
;; so it must work. (Reentering $C1 from there: known-bugs.wast.txt.)

;; $P: `run(again)` calls $C1's `cf(again)`, which returns 100 + $P's `pf(again)`; `pf(0)` is 5,
;; `pf(1)` calls `cf` again through a funcref table (a reentrance of $C1).
(component definition $P
  (core module $Tbl (table (export "t") 1 funcref))
  (core instance $tbl (instantiate $Tbl))
  (core module $M2
    (import "" "t" (table 1 funcref))
    (type $ft (func (param i32) (result i32)))
    (func (export "pf") (param $again i32) (result i32)
      (if (result i32) (local.get $again)
        (then (call_indirect (type $ft) (i32.const 0) (i32.const 0)))
        (else (i32.const 5)))))
  (core instance $m2 (instantiate $M2 (with "" (instance $tbl))))
  (func $pf (param "again" u32) (result u32) (canon lift (core func $m2 "pf")))
  (component $C1
    (import "pf" (func $pf (param "again" u32) (result u32)))
    (core func $pf' (canon lower (func $pf)))
    (core module $CM
      (import "" "pf" (func $pf (param i32) (result i32)))
      (func (export "cf") (param i32) (result i32) (i32.add (call $pf (local.get 0)) (i32.const 100))))
    (core instance $cm (instantiate $CM (with "" (instance (export "pf" (func $pf'))))))
    (func (export "cf") (param "again" u32) (result u32) (canon lift (core func $cm "cf"))))
  (instance $c1 (instantiate $C1 (with "pf" (func $pf))))
  (core func $cf (canon lower (func $c1 "cf")))
  (core module $M1
    (import "" "t" (table 1 funcref))
    (import "" "cf" (func $cf (param i32) (result i32)))
    (elem (table 0) (i32.const 0) func $cf)
    (func (export "run") (param i32) (result i32) (call $cf (local.get 0))))
  (core instance $m1 (instantiate $M1 (with "" (instance (export "t" (table $tbl "t")) (export "cf" (func $cf))))))
  (func (export "run") (param "again" u32) (result u32) (canon lift (core func $m1 "run")))
)
(component instance $p $P)
(assert_return (invoke "run" (u32.const 0)) (u32.const 105))
(assert_return (invoke "run" (u32.const 0)) (u32.const 105))
