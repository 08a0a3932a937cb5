;; A component that imports a core module (and passes nothing of it on): it is valid, but no
;; host provides core modules, so linking lists it as missing; `--stub-missing` instantiates it
;; anyway (nothing instantiates the module).
;;
;; FAIL[missing]: run --invoke f() %
;; RUN[stubbed]: run --stub-missing --invoke f() %
(component
  (import "m" (core module))
  (import "i" (instance (export "nested" (core module))))
  (core module $x (func (export "f") (result i32) i32.const 7))
  (core instance $i (instantiate $x))
  (func (export "f") (result u32) (canon lift (core func $i "f")))
)
