;; Limits: `--timeout` and `--fuel` stop a guest that never returns (a trap, exit 1);
;; `--max-memory` makes `memory.grow` beyond it fail (-1) and within it succeed.
;;
;; FAIL[timeout]: run --timeout 100ms --invoke spin() %
;; FAIL[fuel]: run --fuel 100000 --invoke spin() %
;; RUN[grow-denied]: run --max-memory 1MiB --invoke grow(100) %
;; RUN[grow-allowed]: run --max-memory 1MiB --invoke grow(1) %
(component
  (core module $m
    (memory (export "memory") 1)
    (func (export "spin") (loop $l (br $l)))
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
  (core instance $i (instantiate $m))
  (func (export "spin") (canon lift (core func $i "spin")))
  (func (export "grow") (param "pages" u32) (result s32) (canon lift (core func $i "grow"))))
