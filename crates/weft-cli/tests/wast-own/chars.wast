;; `char` at the edges of the Unicode scalar value range: 0xD7FF, 0xE000 and 0x10FFFF lift;
;; the surrogates 0xD800..=0xDFFF and everything from 0x110000 up trap, whether the bits come
;; from a flat core value, from memory (a list element), or from another component (lifted on
;; the lowering side of a guest→guest call).

;; $Chars: a component whose exports see or produce raw `char` bits.
;;   raw      the bits the host's `char` argument lowered to
;;   lift     a core i32 returned as a `char` (flat lifting)
;;   list2    two core i32s stored in memory and returned as a `list<char>` (loading)
(component definition $Chars
  (core module $M
    (memory (export "mem") 1)
    (func (export "raw") (param i32) (result i32) (local.get 0))
    (func (export "lift") (param i32) (result i32) (local.get 0))
    (func (export "list2") (param i32 i32) (result i32)
      (i32.store (i32.const 64) (local.get 0))
      (i32.store (i32.const 68) (local.get 1))
      (i32.store (i32.const 16) (i32.const 64))
      (i32.store (i32.const 20) (i32.const 2))
      (i32.const 16)))
  (core instance $m (instantiate $M))
  (func (export "raw") (param "c" char) (result u32) (canon lift (core func $m "raw")))
  (func (export "lift") (param "bits" u32) (result char) (canon lift (core func $m "lift")))
  (func (export "list2") (param "a" u32) (param "b" u32) (result (list char))
    (canon lift (core func $m "list2") (memory (core memory $m "mem"))))
)
(component instance $chars $Chars)

;; host → guest: a `char` lowers to its scalar value.
(assert_return (invoke "raw" (char.const "\00")) (u32.const 0))
(assert_return (invoke "raw" (char.const "\u{7f}")) (u32.const 0x7f))
(assert_return (invoke "raw" (char.const "\u{d7ff}")) (u32.const 0xd7ff))
(assert_return (invoke "raw" (char.const "\u{e000}")) (u32.const 0xe000))
(assert_return (invoke "raw" (char.const "\u{ffff}")) (u32.const 0xffff))
(assert_return (invoke "raw" (char.const "\u{10000}")) (u32.const 0x10000))
(assert_return (invoke "raw" (char.const "\u{10ffff}")) (u32.const 0x10ffff))

;; flat lifting: the last scalar values before and after the surrogate block, and the last one.
(assert_return (invoke "lift" (u32.const 0)) (char.const "\00"))
(assert_return (invoke "lift" (u32.const 0xd7ff)) (char.const "\u{d7ff}"))
(assert_return (invoke "lift" (u32.const 0xe000)) (char.const "\u{e000}"))
(assert_return (invoke "lift" (u32.const 0x10ffff)) (char.const "\u{10ffff}"))
(assert_return (invoke "lift" (u32.const 0x1f370)) (char.const "🍰"))

;; flat lifting traps on the first and last surrogate, on 0x110000 and on all-ones.
(component instance $chars $Chars)
(assert_trap (invoke "lift" (u32.const 0xd800)) "invalid `char` bit pattern 0xd800")
(component instance $chars $Chars)
(assert_trap (invoke "lift" (u32.const 0xdfff)) "invalid `char` bit pattern 0xdfff")
(component instance $chars $Chars)
(assert_trap (invoke "lift" (u32.const 0x110000)) "invalid `char` bit pattern 0x110000")
(component instance $chars $Chars)
(assert_trap (invoke "lift" (u32.const 0xffffffff)) "invalid `char` bit pattern 0xffffffff")

;; loading from memory: the same range, as list elements.
(component instance $chars $Chars)
(assert_return (invoke "list2" (u32.const 0x10ffff) (u32.const 0xe000))
  (list.const (char.const "\u{10ffff}") (char.const "\u{e000}")))
(assert_trap (invoke "list2" (u32.const 0x41) (u32.const 0xdbff)) "invalid `char` bit pattern 0xdbff")
(component instance $chars $Chars)
(assert_trap (invoke "list2" (u32.const 0x110000) (u32.const 0x41)) "invalid `char` bit pattern 0x110000")

;; guest → guest: $D lowers core i32s as `char` arguments to $C (lifted from $D's core values
;; on the way out), and lifts $C's `char` result; each export returns what the other side saw.
;;   pass      $D calls $C.raw with the bits: $C's view of the char
;;   back      $D calls $C.lift with the bits: $D's view of the char $C returned
(component definition $Cross
  (component $C
    (core module $M
      (func (export "raw") (param i32) (result i32) (local.get 0))
      (func (export "lift") (param i32) (result i32) (local.get 0)))
    (core instance $m (instantiate $M))
    (func (export "raw") (param "c" char) (result u32) (canon lift (core func $m "raw")))
    (func (export "lift") (param "bits" u32) (result char) (canon lift (core func $m "lift"))))
  (component $D
    (import "raw" (func $raw (param "c" char) (result u32)))
    (import "lift" (func $lift (param "bits" u32) (result char)))
    (core func $raw' (canon lower (func $raw)))
    (core func $lift' (canon lower (func $lift)))
    (core module $M
      (import "" "raw" (func $raw (param i32) (result i32)))
      (import "" "lift" (func $lift (param i32) (result i32)))
      (func (export "pass") (param i32) (result i32) (call $raw (local.get 0)))
      (func (export "back") (param i32) (result i32) (call $lift (local.get 0))))
    (core instance $m (instantiate $M (with "" (instance
      (export "raw" (func $raw')) (export "lift" (func $lift'))))))
    (func (export "pass") (param "bits" u32) (result u32) (canon lift (core func $m "pass")))
    (func (export "back") (param "bits" u32) (result u32) (canon lift (core func $m "back"))))
  (instance $c (instantiate $C))
  (instance $d (instantiate $D (with "raw" (func $c "raw")) (with "lift" (func $c "lift"))))
  (export "pass" (func $d "pass"))
  (export "back" (func $d "back"))
)
(component instance $x $Cross)
(assert_return (invoke "pass" (u32.const 0x10ffff)) (u32.const 0x10ffff))
(assert_return (invoke "pass" (u32.const 0xd7ff)) (u32.const 0xd7ff))
(assert_return (invoke "back" (u32.const 0x10ffff)) (u32.const 0x10ffff))
(assert_return (invoke "back" (u32.const 0xe000)) (u32.const 0xe000))
;; a bad `char` from the caller's core code traps before $C runs; one from $C's result traps
;; when $D's import lifts it.
(component instance $x $Cross)
(assert_trap (invoke "pass" (u32.const 0xd800)) "invalid `char` bit pattern 0xd800")
(component instance $x $Cross)
(assert_trap (invoke "pass" (u32.const 0x110000)) "invalid `char` bit pattern 0x110000")
(component instance $x $Cross)
(assert_trap (invoke "back" (u32.const 0xdfff)) "invalid `char` bit pattern 0xdfff")
(component instance $x $Cross)
(assert_trap (invoke "back" (u32.const 0x110000)) "invalid `char` bit pattern 0x110000")
