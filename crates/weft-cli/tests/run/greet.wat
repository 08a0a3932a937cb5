;; `weft run --invoke`: WAVE arguments in, the WAVE result out, and the errors for a bad
;; call, an unknown function, a missing `--invoke`, a trap and an `--env` of an unset variable.
;;
;; RUN[ada]: run --invoke greet("Ada") %
;; RUN[unicode]: run --invoke greet("Grüße,世界") %
;; FAIL[type]: run --invoke greet(42) %
;; FAIL[arity]: run --invoke greet("a","b") %
;; FAIL[unknown]: run --invoke hello() %
;; FAIL[no-invoke]: run %
;; FAIL[trap]: run --invoke boom() %
;; FAIL[syntax]: run --invoke greet( %
;; FAIL[env-unset]: run --env WEFT_TEST_SURELY_UNSET_VARIABLE %
(component
  (core module $m
    (memory (export "memory") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32) (local.set $p (global.get $next))
      (global.set $next (i32.add (global.get $next) (local.get 3))) (local.get $p))
    (data (i32.const 3000) "Hello, ")
    (func (export "greet") (param $ptr i32) (param $len i32) (result i32)
      (memory.copy (i32.const 2048) (i32.const 3000) (i32.const 7))
      (memory.copy (i32.const 2055) (local.get $ptr) (local.get $len))
      (i32.store (i32.const 4000) (i32.const 2048))
      (i32.store (i32.const 4004) (i32.add (local.get $len) (i32.const 7)))
      (i32.const 4000))
    (func (export "boom") unreachable))
  (core instance $i (instantiate $m))
  (func (export "greet") (param "name" string) (result string)
    (canon lift (core func $i "greet") (memory (core memory $i "memory")) (realloc (core func $i "realloc"))))
  (func (export "boom") (canon lift (core func $i "boom"))))
