;; `post-return`: called once after every call of a lifted function, with the core results as
;; its arguments, after those results have been lifted (so it may free or clobber them), for
;; host→guest and guest→guest calls alike, before control returns to the caller; a trap in it
;; is the call's trap; its core type is the lifted function's results as parameters. (That it
;; may not call imports or `resource.new`: may-leave.wast.)

;; $Post: $C's functions have post-return functions that count their calls and clobber the
;; memory the results were read from; $D calls $C and has a post-return of its own.
;;   c#str        returns "héllo ☃" through a return area; its post-return zeroes both
;;   c#u64        returns a u64 (one i64 core result, which its post-return gets)
;;   c#none       returns nothing; its post-return takes no arguments
;;   c#count      (post-return calls so far, the last argument one got) of $C
;;   d#run        calls c#str, checks c#count right after, returns the string it got
;;   d#count      (post-return calls so far, the last argument) of $D
(component definition $Post
  (component $C
    (core module $M
      (memory (export "mem") 1)
      (data (i32.const 64) "h\c3\a9llo \e2\98\83")
      (global $calls (mut i32) (i32.const 0))
      (global $last (mut i64) (i64.const 0))
      (func $note (param i64)
        (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
        (global.set $last (local.get 0)))
      (func (export "str") (result i32)
        (i32.store (i32.const 16) (i32.const 64))
        (i32.store (i32.const 20) (i32.const 10))
        (i32.const 16))
      (func (export "str-post") (param $ret i32)
        (call $note (i64.extend_i32_u (local.get $ret)))
        (memory.fill (i32.load (local.get $ret)) (i32.const 0) (i32.load offset=4 (local.get $ret)))
        (i64.store (local.get $ret) (i64.const -1)))
      (func (export "u64") (result i64) (i64.const 0x0123456789abcdef))
      (func (export "u64-post") (param i64) (call $note (local.get 0)))
      (func (export "none"))
      (func (export "none-post") (call $note (i64.const 7)))
      (func (export "count") (result i32)
        (i32.store (i32.const 32) (global.get $calls))
        (i64.store (i32.const 40) (global.get $last))
        (i32.const 32)))
    (core instance $m (instantiate $M))
    (func (export "str") (result string)
      (canon lift (core func $m "str") (memory (core memory $m "mem")) (post-return (core func $m "str-post"))))
    (func (export "u64") (result u64)
      (canon lift (core func $m "u64") (post-return (core func $m "u64-post"))))
    (func (export "none")
      (canon lift (core func $m "none") (post-return (core func $m "none-post"))))
    (func (export "count") (result (tuple u32 u64))
      (canon lift (core func $m "count") (memory (core memory $m "mem")))))
  (component $D
    (import "str" (func $str (result string)))
    (import "count" (func $count (result (tuple u32 u64))))
    (core module $Mem
      (memory (export "mem") 1)
      (global $bump (mut i32) (i32.const 1024))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (global.get $bump))
        (global.set $bump (i32.add (global.get $bump) (local.get 3)))
        (local.get $p)))
    (core instance $mem (instantiate $Mem))
    (core func $str' (canon lower (func $str) (memory (core memory $mem "mem")) (realloc (core func $mem "realloc"))))
    (core func $count' (canon lower (func $count) (memory (core memory $mem "mem"))))
    (core module $DM
      (import "" "mem" (memory 1))
      (import "" "str" (func $str (param i32)))
      (import "" "count" (func $count (param i32)))
      (global $calls (mut i32) (i32.const 0))
      (global $last (mut i32) (i32.const 0))
      ;; c#str's post-return has run (once) by the time the call returns here
      (func (export "run") (result i32)
        (call $str (i32.const 64))
        (call $count (i32.const 80))
        (if (i32.ne (i32.load (i32.const 80)) (i32.const 1)) (then unreachable))
        (i32.const 64))
      (func (export "run-post") (param i32)
        (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
        (global.set $last (local.get 0)))
      (func (export "count") (result i32)
        (i32.store (i32.const 96) (global.get $calls))
        (i64.store (i32.const 104) (i64.extend_i32_u (global.get $last)))
        (i32.const 96)))
    (core instance $dm (instantiate $DM (with "" (instance
      (export "mem" (memory $mem "mem")) (export "str" (func $str')) (export "count" (func $count'))))))
    (func (export "run") (result string)
      (canon lift (core func $dm "run") (memory (core memory $mem "mem")) (post-return (core func $dm "run-post"))))
    (func (export "count") (result (tuple u32 u64))
      (canon lift (core func $dm "count") (memory (core memory $mem "mem")))))
  (instance $c (instantiate $C))
  (instance $d (instantiate $D (with "str" (func $c "str")) (with "count" (func $c "count"))))
  (export "c" (instance $c))
  (export "d" (instance $d))
)

;; host → guest: the string is lifted before its post-return zeroes it; the post-return got
;; the return pointer (16); each call runs it once.
(component instance $p $Post)
(assert_return (invoke "c#count") (tuple.const (u32.const 0) (u64.const 0)))
(assert_return (invoke "c#str") (str.const "héllo ☃"))
(assert_return (invoke "c#count") (tuple.const (u32.const 1) (u64.const 16)))
;; (the post-return zeroed the string's bytes, which are gone for the next call)
(assert_return (invoke "c#str") (str.const "\00\00\00\00\00\00\00\00\00\00"))
(assert_return (invoke "c#count") (tuple.const (u32.const 2) (u64.const 16)))
;; a one-value result is the post-return's argument; no result, no argument.
(assert_return (invoke "c#u64") (u64.const 0x0123456789abcdef))
(assert_return (invoke "c#count") (tuple.const (u32.const 3) (u64.const 0x0123456789abcdef)))
(assert_return (invoke "c#none"))
(assert_return (invoke "c#count") (tuple.const (u32.const 4) (u64.const 7)))

;; guest → guest: $C's post-return runs before $D's call returns (checked by $D), after the
;; string was copied into $D's memory; then $D's own post-return runs after the host lifted
;; $D's result, with $D's return pointer (64).
(component instance $p $Post)
(assert_return (invoke "d#run") (str.const "héllo ☃"))
(assert_return (invoke "c#count") (tuple.const (u32.const 1) (u64.const 16)))
(assert_return (invoke "d#count") (tuple.const (u32.const 1) (u64.const 64)))

;; a trapping post-return: the call traps, although its result was lifted.
(component
  (core module $M
    (func (export "f") (result i32) (i32.const 1))
    (func (export "post") (param i32) unreachable))
  (core instance $m (instantiate $M))
  (func (export "f") (result u32) (canon lift (core func $m "f") (post-return (core func $m "post"))))
)
(assert_trap (invoke "f") "unreachable")

;; validation: a post-return takes exactly the lifted function's core results.
(assert_invalid
  (component
    (core module $M (func (export "f") (result i32) unreachable) (func (export "post") (param i64)))
    (core instance $m (instantiate $M))
    (func (export "f") (result u32) (canon lift (core func $m "f") (post-return (core func $m "post")))))
  "`post-return` uses a core function with an incorrect signature")
(assert_invalid
  (component
    (core module $M (func (export "f")) (func (export "post") (param i32)))
    (core instance $m (instantiate $M))
    (func (export "f") (canon lift (core func $m "f") (post-return (core func $m "post")))))
  "`post-return` uses a core function with an incorrect signature")
