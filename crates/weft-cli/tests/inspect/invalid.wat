;; Valid text, invalid module: the validator's message, with the file name.
;;
;; FAIL: inspect %
(module
  (func (result i32)))
