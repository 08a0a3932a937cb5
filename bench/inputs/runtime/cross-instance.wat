;; Cross-instance calls, for bench/runtime.sh (case `cross-instance-1k`).
;;
;; Two nested components, as wit-bindgen guests are wired together by composition:
;;
;; * `$callee` lifts `echo(s: string) -> string` from its own core instance, with its own
;;   memory, a bump `realloc` for the argument, and a `post-return` that frees it (resets the
;;   bump pointer), as wit-bindgen's generated code does.
;; * `$caller` imports `echo`, lowers it into its own core instance (its own memory, and a
;;   `realloc` for the result), and exports `run() -> u32`: 10,000 calls of `echo` with the
;;   same 1 KiB string, returning the sum of the lengths echoed back (10,240,000). A call that
;;   echoes back a different length, or a string whose first or last byte differs, traps.
;;
;; Every call copies the 1 KiB argument from the caller's memory into the callee's and the
;; 1 KiB result back, so the time is dominated by the cross-instance calls (the canonical ABI's
;; lowering and lifting of a string each way, plus `realloc` and `post-return`).
;;
;;   weft run --invoke 'run()' bench/inputs/runtime/cross-instance.wat      # prints 10240000
;;   wasmtime run --invoke 'run()' bench/inputs/runtime/cross-instance.wat
(component
  (component $callee
    (core module $m
      (memory (export "memory") 1)
      ;; The argument string goes at 4096 and up; `post-echo` frees it.
      (global $next (mut i32) (i32.const 4096))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $ptr i32)
        ;; align up to the requested alignment (a power of two)
        (local.set $ptr
          (i32.and
            (i32.add (global.get $next) (i32.sub (local.get 2) (i32.const 1)))
            (i32.sub (i32.const 0) (local.get 2))))
        (global.set $next (i32.add (local.get $ptr) (local.get 3)))
        (if (i32.gt_u (global.get $next) (i32.const 65536)) (then unreachable))
        (local.get $ptr))
      ;; Returns the string it was given: (pointer, length) stored at 8.
      (func (export "echo") (param $ptr i32) (param $len i32) (result i32)
        (i32.store (i32.const 8) (local.get $ptr))
        (i32.store (i32.const 12) (local.get $len))
        (i32.const 8))
      (func (export "post-echo") (param i32)
        (global.set $next (i32.const 4096))))
    (core instance $i (instantiate $m))
    (func (export "echo") (param "s" string) (result string)
      (canon lift (core func $i "echo")
        (memory (core memory $i "memory")) (realloc (core func $i "realloc"))
        (post-return (core func $i "post-echo")))))

  (component $caller
    (import "echo" (func $echo (param "s" string) (result string)))
    ;; Memory and `realloc` first, so that `echo` can be lowered before the main module is
    ;; instantiated (the shape wit-component gives a guest that imports functions).
    (core module $libc
      (memory (export "memory") 1)
      ;; Every result string goes to the same scratch buffer at 8192: the caller reads each one
      ;; before the next call.
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (if (i32.gt_u (local.get 3) (i32.const 8192)) (then unreachable))
        (i32.const 8192)))
    (core instance $libc (instantiate $libc))
    (core func $echo-lowered
      (canon lower (func $echo)
        (memory (core memory $libc "memory")) (realloc (core func $libc "realloc"))))
    (core module $main
      (import "libc" "memory" (memory 1))
      (import "host" "echo" (func $echo (param i32 i32 i32)))
      (func (export "run") (result i32)
        (local $i i32)
        (local $total i32)
        (local $len i32)
        ;; the argument: 1 KiB of 'a' at 1024, with 'z' at both ends
        (memory.fill (i32.const 1024) (i32.const 97) (i32.const 1024))
        (i32.store8 (i32.const 1024) (i32.const 122))
        (i32.store8 (i32.const 2047) (i32.const 122))
        (loop $again
          ;; echo(ptr, len, return area at 16): the result's (pointer, length) land at 16
          (call $echo (i32.const 1024) (i32.const 1024) (i32.const 16))
          (local.set $len (i32.load (i32.const 20)))
          (if (i32.ne (local.get $len) (i32.const 1024)) (then unreachable))
          (if (i32.ne (i32.load8_u (i32.load (i32.const 16))) (i32.const 122)) (then unreachable))
          (if (i32.ne (i32.load8_u (i32.add (i32.load (i32.const 16)) (i32.const 1023)))
                      (i32.const 122))
            (then unreachable))
          (local.set $total (i32.add (local.get $total) (local.get $len)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $again (i32.lt_u (local.get $i) (i32.const 10000))))
        (local.get $total)))
    (core instance $main (instantiate $main
      (with "libc" (instance $libc))
      (with "host" (instance (export "echo" (func $echo-lowered))))))
    (func (export "run") (result u32) (canon lift (core func $main "run"))))

  (instance $callee (instantiate $callee))
  (instance $caller (instantiate $caller (with "echo" (func $callee "echo"))))
  (export "run" (func $caller "run")))
