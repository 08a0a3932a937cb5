;; Valid text, invalid module: the validator's message, with the file name. (`weft inspect`
;; validates a binary's structure, not its function bodies: an export of a function that does
;; not exist is reported, a mistyped body is not.)
;;
;; FAIL: inspect %
(module
  (export "f" (func 3)))
