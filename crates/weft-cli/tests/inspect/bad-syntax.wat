;; Not valid WebAssembly text: the text parser's message, with the file and line.
;;
;; FAIL: inspect %
(module
  (func (i32.bogus)))
