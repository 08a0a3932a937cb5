;; A core module with no `component-type` section: not something decode can read.
(module (func (export "f")))
