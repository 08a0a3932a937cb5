;; Names read from a binary reach the terminal with control characters escaped, in output
;; and in errors: this module's import names hold an escape sequence that would clear the
;; screen.
;; RUN: inspect %
;; FAIL[new]: new % -o %tmp/x.wasm
(module
  (import "env\1b[2J" "clear\1b[H" (func))
  (memory (export "memory") 1))
