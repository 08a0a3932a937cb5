;; Unresolved imports keep the names their types were given through aliases, as
;; wasi:http/types and wasi:filesystem/types do: a function of an alias of a resource
;; (`type headers = fields`) names the alias, not the resource, and a type an interface `use`s
;; through another (`use streams.{error}`, where `streams` has it from `error`) is aliased from
;; that interface, not from the one that defines it.
(component
  (import "test:demo/error" (instance $e
    (export "error" (type (sub resource)))))
  (alias export $e "error" (type $error))
  (import "test:demo/streams" (instance $s
    (alias outer 1 $error (type $err))
    (export "error" (type $err' (eq $err)))
    (export "output-stream" (type $os (sub resource)))
    (export "[method]output-stream.check" (func
      (param "self" (borrow $os)) (result (option (own $err')))))))
  (alias export $s "error" (type $stream-error))
  (alias export $s "output-stream" (type $output-stream))
  (import "test:demo/types" (instance $t
    (alias outer 1 $stream-error (type $err))
    (export "error" (type $err' (eq $err)))
    (alias outer 1 $output-stream (type $os))
    (export "output-stream" (type $os' (eq $os)))
    (export "fields" (type $f (sub resource)))
    (export "headers" (type $h (eq $f)))
    (export "trailers" (type $tr (eq $f)))
    (export "[constructor]fields" (func (result (own $f))))
    (export "[method]fields.clone" (func (param "self" (borrow $f)) (result (own $f))))
    (export "get-headers" (func (result (own $h))))
    (export "finish" (func (param "t" (option (own $tr)))))
    (export "write" (func (param "s" (borrow $os')) (result (result (error (own $err'))))))))
  (import "test:demo/answer" (instance $a (export "get" (func (result u32)))))
  (alias export $a "get" (func $get))
  (core func $g (canon lower (func $get)))
  (core module $m
    (import "a" "get" (func $get (result i32)))
    (func (export "run") (result i32) call $get))
  (core instance $i (instantiate $m (with "a" (instance (export "get" (func $g))))))
  (func $run (result u32) (canon lift (core func $i "run")))
  (export "run" (func $run))
)
