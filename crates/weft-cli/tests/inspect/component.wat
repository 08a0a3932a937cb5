;; A component with the usual shapes: WASI and custom interface imports (one with a
;; resource), a freestanding function import, a UTF-16 string export, an exported interface
;; with a resource it defines, two core modules (one with producers) and a nested component.
;;
;; RUN: inspect %
;; RUN[json]: inspect % --json
(component
  (import "wasi:cli/environment@0.2.3" (instance $env
    (export "get-arguments" (func (result (list string))))
  ))
  (import "wasi:io/streams@0.2.3" (instance $streams
    (export "output-stream" (type $os (sub resource)))
    (export "[method]output-stream.check-write" (func (param "self" (borrow $os)) (result u64)))
  ))
  (import "a:host/logging@1.0.0" (instance $logging
    (export "log" (func (param "msg" string)))
  ))
  (import "now" (func $now (result u64)))

  (core module $libc
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      global.get $bump)
  )
  (core instance $libc (instantiate $libc))
  (alias core export $libc "memory" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))

  (alias export $env "get-arguments" (func $get-arguments))
  (alias export $streams "[method]output-stream.check-write" (func $check-write))
  (alias export $logging "log" (func $log))
  (core func $get-arguments
    (canon lower (func $get-arguments) (memory $mem) (realloc $realloc) string-encoding=utf16))
  (core func $check-write (canon lower (func $check-write)))
  (core func $log (canon lower (func $log) (memory $mem) string-encoding=utf16))
  (core func $now (canon lower (func $now)))

  (type $counter (resource (rep i32)))
  (core func $counter-new (canon resource.new $counter))

  (core module $main
    (import "libc" "memory" (memory 1))
    (import "wasi:cli/environment@0.2.3" "get-arguments" (func (param i32)))
    (import "wasi:io/streams@0.2.3" "[method]output-stream.check-write"
      (func (param i32) (result i64)))
    (import "a:host/logging@1.0.0" "log" (func (param i32 i32)))
    (import "$root" "now" (func (result i64)))
    (import "[export]a:b/counters" "[resource-new]counter" (func $new (param i32) (result i32)))
    (func (export "greet") (param i32 i32) (result i32) i32.const 16)
    (func (export "a:b/counters#[constructor]counter") (param i32) (result i32)
      local.get 0
      call $new)
    (func (export "a:b/counters#[method]counter.get") (param i32) (result i32) i32.const 0)
    (@producers
      (language "Rust" "1.80.0")
      (processed-by "rustc" "1.80.0")
      (processed-by "wit-bindgen-rust" "0.30.0"))
  )
  (core instance $env-in (export "get-arguments" (func $get-arguments)))
  (core instance $streams-in (export "[method]output-stream.check-write" (func $check-write)))
  (core instance $logging-in (export "log" (func $log)))
  (core instance $root-in (export "now" (func $now)))
  (core instance $counters-in (export "[resource-new]counter" (func $counter-new)))
  (core instance $main (instantiate $main
    (with "libc" (instance $libc))
    (with "wasi:cli/environment@0.2.3" (instance $env-in))
    (with "wasi:io/streams@0.2.3" (instance $streams-in))
    (with "a:host/logging@1.0.0" (instance $logging-in))
    (with "$root" (instance $root-in))
    (with "[export]a:b/counters" (instance $counters-in))
  ))

  (func $greet (param "name" string) (result string)
    (canon lift (core func $main "greet") (memory $mem) (realloc $realloc) string-encoding=utf16))
  (export "greet" (func $greet))

  (func $ctor (param "start" u32) (result (own $counter))
    (canon lift (core func $main "a:b/counters#[constructor]counter")))
  (func $get (param "self" (borrow $counter)) (result u32)
    (canon lift (core func $main "a:b/counters#[method]counter.get")))
  ;; The exported interface goes through a component that names its resource, as
  ;; wit-component does.
  (component $counters-names
    (import "import-type-counter" (type $r (sub resource)))
    (import "import-constructor-counter" (func $c (param "start" u32) (result (own $r))))
    (import "import-method-counter-get" (func $g (param "self" (borrow $r)) (result u32)))
    (export $ex "counter" (type $r))
    (export "[constructor]counter" (func $c) (func (param "start" u32) (result (own $ex))))
    (export "[method]counter.get" (func $g) (func (param "self" (borrow $ex)) (result u32)))
  )
  (instance $counters (instantiate $counters-names
    (with "import-type-counter" (type $counter))
    (with "import-constructor-counter" (func $ctor))
    (with "import-method-counter-get" (func $get))
  ))
  (export "a:b/counters" (instance $counters))

  (component $inner
    (core module $tiny (memory 1 1))
  )
)
