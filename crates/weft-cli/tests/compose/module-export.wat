;; A root that exports a core module of its own besides a function (which WIT cannot describe,
;; so this is a run test, not a corpus case): the composition aliases each into its own index
;; space.
(component
  (import "test:demo/answer" (instance $a (export "get" (func (result u32)))))
  (core module $m (func (export "f")))
  (export "m" (core module $m))
  (alias export $a "get" (func $get))
  (export "get" (func $get))
)
