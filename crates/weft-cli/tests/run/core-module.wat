;; A core module is not a component: the error says how to wrap it.
;;
;; FAIL: run --invoke f() %
(module (func (export "f")))
