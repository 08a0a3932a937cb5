;; Imports the host does not provide: each is listed with its type; `--stub-missing`
;; instantiates anyway, and calling one traps.
;;
;; FAIL[missing]: run --invoke twice(2) %
;; RUN[stubbed]: run --stub-missing --invoke twice(2) %
;; FAIL[called]: run --stub-missing --invoke call-it() %
(component
  (import "test:host/io@0.1.0" (instance $io
    (export "read" (func (result u32)))))
  (import "log" (func $log (param "msg" string)))
  (alias export $io "read" (func $read))
  (core func $read (canon lower (func $read)))
  (core module $m
    (import "" "read" (func $read (result i32)))
    (func (export "twice") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
    (func (export "call-it") (result i32) (call $read)))
  (core instance $i (instantiate $m (with "" (instance (export "read" (func $read))))))
  (func (export "twice") (param "x" u32) (result u32) (canon lift (core func $i "twice")))
  (func (export "call-it") (result u32) (canon lift (core func $i "call-it"))))
