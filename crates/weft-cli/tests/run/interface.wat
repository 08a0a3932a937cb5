;; Functions of exported interfaces: by full name (`iface#f`), as wasmtime writes them
;; (`ns:pkg/iface.f@version`), by unambiguous short name; an out-of-range argument.
;;
;; RUN[hash]: run --invoke example:types/torture@0.1.0#echo-u8(42) %
;; RUN[wasmtime]: run --invoke example:types/torture.echo-u8@0.1.0(42) %
;; RUN[short]: run --invoke echo-u8(7) %
;; FAIL[range]: run --invoke echo-u8(300) %
(component
  (component $inner
    (core module $m (func (export "echo") (param i32) (result i32) local.get 0))
    (core instance $i (instantiate $m))
    (func $echo (param "x" u8) (result u8) (canon lift (core func $i "echo")))
    (instance $api (export "echo-u8" (func $echo)))
    (export "api" (instance $api)))
  (instance $x (instantiate $inner))
  (alias export $x "api" (instance $api))
  (export "example:types/torture@0.1.0" (instance $api)))
