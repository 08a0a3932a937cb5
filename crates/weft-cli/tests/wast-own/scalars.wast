;; Integers, `bool` and floats at their edges: the bits a lowered value has in core wasm (sign
;; extension of s8/s16, u64/s64 extremes, -0.0, subnormals and infinities), how flat lifting
;; truncates wider core values, how loads from memory read bytes, and what a guest→guest call
;; passes on. (A top-level `(f32.const …)` in a script parses as a core value, so floats
;; travel in 1-tuples here, which flatten and lay out exactly like the float itself.)

;; $Raw: each export returns the core bits its argument lowered to.
(component definition $Raw
  (core module $M
    (func (export "i32") (param i32) (result i32) (local.get 0))
    (func (export "i64") (param i64) (result i64) (local.get 0))
    (func (export "f32") (param f32) (result i32) (i32.reinterpret_f32 (local.get 0)))
    (func (export "f64") (param f64) (result i64) (i64.reinterpret_f64 (local.get 0))))
  (core instance $m (instantiate $M))
  (func (export "u8") (param "x" u8) (result u32) (canon lift (core func $m "i32")))
  (func (export "s8") (param "x" s8) (result u32) (canon lift (core func $m "i32")))
  (func (export "u16") (param "x" u16) (result u32) (canon lift (core func $m "i32")))
  (func (export "s16") (param "x" s16) (result u32) (canon lift (core func $m "i32")))
  (func (export "s32") (param "x" s32) (result u32) (canon lift (core func $m "i32")))
  (func (export "bool") (param "x" bool) (result u32) (canon lift (core func $m "i32")))
  (func (export "u64") (param "x" u64) (result u64) (canon lift (core func $m "i64")))
  (func (export "s64") (param "x" s64) (result u64) (canon lift (core func $m "i64")))
  (func (export "f32") (param "x" (tuple f32)) (result u32) (canon lift (core func $m "f32")))
  (func (export "f64") (param "x" (tuple f64)) (result u64) (canon lift (core func $m "f64")))
)
(component instance $raw $Raw)

;; host → guest: small unsigned values zero-extend, small signed ones sign-extend to 32 bits.
(assert_return (invoke "u8" (u8.const 255)) (u32.const 255))
(assert_return (invoke "s8" (s8.const -1)) (u32.const 0xffffffff))
(assert_return (invoke "s8" (s8.const -128)) (u32.const 0xffffff80))
(assert_return (invoke "s8" (s8.const 127)) (u32.const 127))
(assert_return (invoke "u16" (u16.const 65535)) (u32.const 65535))
(assert_return (invoke "s16" (s16.const -32768)) (u32.const 0xffff8000))
(assert_return (invoke "s32" (s32.const -2147483648)) (u32.const 0x80000000))
(assert_return (invoke "bool" (bool.const true)) (u32.const 1))
(assert_return (invoke "bool" (bool.const false)) (u32.const 0))
(assert_return (invoke "u64" (u64.const 0xffffffffffffffff)) (u64.const 0xffffffffffffffff))
(assert_return (invoke "s64" (s64.const -9223372036854775808)) (u64.const 0x8000000000000000))
;; floats keep their sign and infinities bit for bit.
(assert_return (invoke "f32" (tuple.const (f32.const -0))) (u32.const 0x80000000))
(assert_return (invoke "f32" (tuple.const (f32.const inf))) (u32.const 0x7f800000))
(assert_return (invoke "f32" (tuple.const (f32.const 0x1p-149))) (u32.const 1))
(assert_return (invoke "f64" (tuple.const (f64.const -0))) (u64.const 0x8000000000000000))
(assert_return (invoke "f64" (tuple.const (f64.const -inf))) (u64.const 0xfff0000000000000))

;; $Lift: each export returns its core argument's bits as a narrower or different type.
(component
  (core module $M
    (func (export "i32") (param i32) (result i32) (local.get 0))
    (func (export "i64") (param i64) (result i64) (local.get 0))
    (func (export "f32") (param i32) (result f32) (f32.reinterpret_i32 (local.get 0)))
    (func (export "f64") (param i64) (result f64) (f64.reinterpret_i64 (local.get 0))))
  (core instance $m (instantiate $M))
  (func (export "u8") (param "bits" u32) (result u8) (canon lift (core func $m "i32")))
  (func (export "s8") (param "bits" u32) (result s8) (canon lift (core func $m "i32")))
  (func (export "u16") (param "bits" u32) (result u16) (canon lift (core func $m "i32")))
  (func (export "s16") (param "bits" u32) (result s16) (canon lift (core func $m "i32")))
  (func (export "s32") (param "bits" u32) (result s32) (canon lift (core func $m "i32")))
  (func (export "bool") (param "bits" u32) (result bool) (canon lift (core func $m "i32")))
  (func (export "s64") (param "bits" u64) (result s64) (canon lift (core func $m "i64")))
  (func (export "f32") (param "bits" u32) (result (tuple f32)) (canon lift (core func $m "f32")))
  (func (export "f64") (param "bits" u64) (result (tuple f64)) (canon lift (core func $m "f64")))
)
;; flat lifting keeps the low bits of the core i32, sign-extending signed types.
(assert_return (invoke "u8" (u32.const 0x1ff)) (u8.const 255))
(assert_return (invoke "u8" (u32.const 0x100)) (u8.const 0))
(assert_return (invoke "s8" (u32.const 0x80)) (s8.const -128))
(assert_return (invoke "s8" (u32.const 0x17f)) (s8.const 127))
(assert_return (invoke "u16" (u32.const 0x12345)) (u16.const 0x2345))
(assert_return (invoke "s16" (u32.const 0x18000)) (s16.const -32768))
(assert_return (invoke "s32" (u32.const 0xffffffff)) (s32.const -1))
(assert_return (invoke "s64" (u64.const 0xffffffffffffffff)) (s64.const -1))
;; any non-zero i32 is `true`, including one with only the top bit set.
(assert_return (invoke "bool" (u32.const 0x80000000)) (bool.const true))
(assert_return (invoke "bool" (u32.const 0x100)) (bool.const true))
(assert_return (invoke "bool" (u32.const 0)) (bool.const false))
;; -0.0, the smallest subnormal and infinity lift exactly; a NaN payload lifts as a NaN.
(assert_return (invoke "f32" (u32.const 0x80000000)) (tuple.const (f32.const -0)))
(assert_return (invoke "f32" (u32.const 0x00000001)) (tuple.const (f32.const 0x1p-149)))
(assert_return (invoke "f32" (u32.const 0xff800000)) (tuple.const (f32.const -inf)))
(assert_return (invoke "f32" (u32.const 0x7fa00001)) (tuple.const (f32.const nan)))
(assert_return (invoke "f64" (u64.const 0x8000000000000000)) (tuple.const (f64.const -0)))
(assert_return (invoke "f64" (u64.const 0x7ff0000000000001)) (tuple.const (f64.const nan)))

;; loading from memory: a result tuple<bool, s8, u16, s16, u32, s64> (6 flat values, so
;; returned through a pointer) read from the bytes the core function stores; the layout is
;; bool@0 s8@1 u16@2 s16@4 u32@8 s64@16 (size 24, align 8).
(component
  (core module $M
    (memory (export "mem") 1)
    (func (export "f") (param i64 i32 i64) (result i32)
      (i64.store (i32.const 64) (local.get 0))
      (i32.store (i32.const 72) (local.get 1))
      (i64.store (i32.const 80) (local.get 2))
      (i32.const 64)))
  (core instance $m (instantiate $M))
  (func (export "load") (param "head" u64) (param "word" u32) (param "long" u64)
    (result (tuple bool s8 u16 s16 u32 s64))
    (canon lift (core func $m "f") (memory (core memory $m "mem"))))
)
;; bytes 02 80 34 12 00 80: bool 2 is true, s8 0x80 is -128, s16 0x8000 is -32768.
(assert_return (invoke "load" (u64.const 0x0000_8000_1234_8002) (u32.const 0xffffffff) (u64.const 0x8000000000000000))
  (tuple.const (bool.const true) (s8.const -128) (u16.const 0x1234) (s16.const -32768)
    (u32.const 0xffffffff) (s64.const -9223372036854775808)))
;; a bool byte of 0xff is true, of 0 is false; padding bytes (at 6, 7) are ignored.
(assert_return (invoke "load" (u64.const 0xffff_7fff_ffff_7f00) (u32.const 0) (u64.const 1))
  (tuple.const (bool.const false) (s8.const 127) (u16.const 0xffff) (s16.const 32767)
    (u32.const 0) (s64.const 1)))
(assert_return (invoke "load" (u64.const 0x0000_0000_0000_00ff) (u32.const 0) (u64.const 0))
  (tuple.const (bool.const true) (s8.const 0) (u16.const 0) (s16.const 0)
    (u32.const 0) (s64.const 0)))

;; guest → guest: $D's core code passes wide i32s as u8/s8/u16/s16/bool arguments of $C's
;; functions; the value is lifted (truncated) on $D's side and lowered again for $C, which
;; returns the clean core bits it received.
(component
  (component $C
    (core module $M (func (export "id") (param i32) (result i32) (local.get 0)))
    (core instance $m (instantiate $M))
    (func (export "u8") (param "x" u8) (result u32) (canon lift (core func $m "id")))
    (func (export "s8") (param "x" s8) (result u32) (canon lift (core func $m "id")))
    (func (export "u16") (param "x" u16) (result u32) (canon lift (core func $m "id")))
    (func (export "s16") (param "x" s16) (result u32) (canon lift (core func $m "id")))
    (func (export "bool") (param "x" bool) (result u32) (canon lift (core func $m "id"))))
  (component $D
    (import "u8" (func $u8 (param "x" u8) (result u32)))
    (import "s8" (func $s8 (param "x" s8) (result u32)))
    (import "u16" (func $u16 (param "x" u16) (result u32)))
    (import "s16" (func $s16 (param "x" s16) (result u32)))
    (import "bool" (func $bool (param "x" bool) (result u32)))
    (core func $u8' (canon lower (func $u8)))
    (core func $s8' (canon lower (func $s8)))
    (core func $u16' (canon lower (func $u16)))
    (core func $s16' (canon lower (func $s16)))
    (core func $bool' (canon lower (func $bool)))
    (core module $M
      (import "" "u8" (func $u8 (param i32) (result i32)))
      (import "" "s8" (func $s8 (param i32) (result i32)))
      (import "" "u16" (func $u16 (param i32) (result i32)))
      (import "" "s16" (func $s16 (param i32) (result i32)))
      (import "" "bool" (func $bool (param i32) (result i32)))
      (func (export "u8") (param i32) (result i32) (call $u8 (local.get 0)))
      (func (export "s8") (param i32) (result i32) (call $s8 (local.get 0)))
      (func (export "u16") (param i32) (result i32) (call $u16 (local.get 0)))
      (func (export "s16") (param i32) (result i32) (call $s16 (local.get 0)))
      (func (export "bool") (param i32) (result i32) (call $bool (local.get 0))))
    (core instance $m (instantiate $M (with "" (instance
      (export "u8" (func $u8')) (export "s8" (func $s8')) (export "u16" (func $u16'))
      (export "s16" (func $s16')) (export "bool" (func $bool'))))))
    (func (export "u8") (param "bits" u32) (result u32) (canon lift (core func $m "u8")))
    (func (export "s8") (param "bits" u32) (result u32) (canon lift (core func $m "s8")))
    (func (export "u16") (param "bits" u32) (result u32) (canon lift (core func $m "u16")))
    (func (export "s16") (param "bits" u32) (result u32) (canon lift (core func $m "s16")))
    (func (export "bool") (param "bits" u32) (result u32) (canon lift (core func $m "bool"))))
  (instance $c (instantiate $C))
  (instance $d (instantiate $D (with "u8" (func $c "u8")) (with "s8" (func $c "s8"))
    (with "u16" (func $c "u16")) (with "s16" (func $c "s16")) (with "bool" (func $c "bool"))))
  (export "u8" (func $d "u8"))
  (export "s8" (func $d "s8"))
  (export "u16" (func $d "u16"))
  (export "s16" (func $d "s16"))
  (export "bool" (func $d "bool"))
)
(assert_return (invoke "u8" (u32.const 0xabcd)) (u32.const 0xcd))
(assert_return (invoke "s8" (u32.const 0x80)) (u32.const 0xffffff80))
(assert_return (invoke "s8" (u32.const 0xff7f)) (u32.const 0x7f))
(assert_return (invoke "u16" (u32.const 0xdead_beef)) (u32.const 0xbeef))
(assert_return (invoke "s16" (u32.const 0x8001)) (u32.const 0xffff8001))
(assert_return (invoke "bool" (u32.const 0xf0)) (u32.const 1))
(assert_return (invoke "bool" (u32.const 0)) (u32.const 0))
