;; A core module with neither WASI preview1 imports nor a WIT world: the error says how to wrap it.
;;
;; FAIL: run --invoke f() %
(module (func (export "f")))
