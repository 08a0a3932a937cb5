;; Variants, enums, options and results: the discriminant is a u8 for up to 256 cases and a
;; u16 beyond (257 cases, 300 cases), in memory and in lists; payloads sit at the cases' maximum
;; alignment; flat payloads share joined slots (f32 in i32 or i64, i32 zero-extended into i64,
;; i64 slots wrapped back to i32 for a u32 payload) with unused slots zeroed; nested
;; option<option<u32>> and result<option<u64>, list<string>>; out-of-range discriminants trap
;; (a flat discriminant is never truncated).

;; $Variants: $C (exported as "c") defines
;;   e256 / e257   enums of 256 / 257 cases "c0" …
;;   v300          a variant of 300 cases: "c0" has a u8, "c299" a u32, the rest nothing
;;   mix           variant { a(f32), b(u64), c(f64), d(u32), e(s8), f }: flat [i32, i64]
;; and exports
;;   raw-T         the core values an argument of type T lowered to
;;   lift-T        core values (its u32 arguments) returned as a T
;;   load-eN       a tuple<u8, eN, u8> read from memory, where the core code stored 0xaa, all
;;                 32 bits of its argument at the enum's offset (1 or 2), then 0xbb
;;   echo-T        returns its argument (a flat result stored into memory by the core code)
;;   list-v300     the 32-bit words of a list<v300> (8 bytes an element)
;; $D (exported as "d") passes core values from its own code as arguments of $C's functions:
;;   pass-T        calls c#raw-T / c#echo-T with its u32/u64 arguments as the flat values
(component definition $Variants
  (component $C
    (core module $M
      (memory (export "mem") 1)
      (global $bump (mut i32) (i32.const 1024))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (local.get $p))
      (func (export "id") (param i32) (result i32) (local.get 0))
      (func (export "load-1") (param i32) (result i32)
        (i32.store8 (i32.const 64) (i32.const 0xaa))
        (i32.store (i32.const 65) (local.get 0))
        (i32.store8 (i32.const 66) (i32.const 0xbb))
        (i32.const 64))
      (func (export "load-2") (param i32) (result i32)
        (i32.store8 (i32.const 64) (i32.const 0xaa))
        (i32.store (i32.const 66) (local.get 0))
        (i32.store8 (i32.const 68) (i32.const 0xbb))
        (i32.const 64))
      ;; v300 in memory: u16 discriminant at 0, payload at 4
      (func (export "echo-v300") (param i32 i32) (result i32)
        (i32.store16 (i32.const 80) (local.get 0))
        (i32.store (i32.const 84) (local.get 1))
        (i32.const 80))
      (func (export "words") (param i32 i32) (result i32)
        (i32.store (i32.const 88) (local.get 0))
        (i32.store (i32.const 92) (i32.shl (local.get 1) (i32.const 1)))
        (i32.const 88))
      (func (export "raw3") (param i32 i32 i32) (result i32)
        (i32.store (i32.const 96) (local.get 0))
        (i32.store (i32.const 100) (local.get 1))
        (i32.store (i32.const 104) (local.get 2))
        (i32.const 96))
      ;; option<option<u32>> in memory: u8 at 0, u8 at 4, u32 at 8
      (func (export "lift-oo") (param i32 i32 i32) (result i32)
        (i32.store8 (i32.const 112) (local.get 0))
        (i32.store8 (i32.const 116) (local.get 1))
        (i32.store (i32.const 120) (local.get 2))
        (i32.const 112))
      ;; flat result<option<u64>, list<string>> is [i32, i32, i64]; in memory, u8 at 0 and the
      ;; payload at 8: option<u64> as u8 at 8 and u64 at 16, or list<string> as (ptr, len) at 8
      (func (export "raw-rr") (param i32 i32 i64) (result i32)
        (i32.store (i32.const 128) (local.get 0))
        (i32.store (i32.const 132) (local.get 1))
        (i64.store (i32.const 136) (local.get 2))
        (i32.const 128))
      (func (export "echo-rr") (param i32 i32 i64) (result i32)
        (i32.store8 (i32.const 160) (local.get 0))
        (if (i32.eqz (local.get 0))
          (then
            (i32.store8 (i32.const 168) (local.get 1))
            (i64.store (i32.const 176) (local.get 2)))
          (else
            (i32.store (i32.const 168) (local.get 1))
            (i32.store (i32.const 172) (i32.wrap_i64 (local.get 2)))))
        (i32.const 160))
      (func (export "raw-mix") (param i32 i64) (result i32)
        (i32.store (i32.const 192) (local.get 0))
        (i64.store (i32.const 200) (local.get 1))
        (i32.const 192)))
    (core instance $m (instantiate $M))
    (type $e256' (enum "c0" "c1" "c2" "c3" "c4" "c5" "c6" "c7" "c8" "c9" "c10" "c11" "c12" "c13" "c14" "c15"
      "c16" "c17" "c18" "c19" "c20" "c21" "c22" "c23" "c24" "c25" "c26" "c27" "c28" "c29" "c30" "c31"
      "c32" "c33" "c34" "c35" "c36" "c37" "c38" "c39" "c40" "c41" "c42" "c43" "c44" "c45" "c46" "c47"
      "c48" "c49" "c50" "c51" "c52" "c53" "c54" "c55" "c56" "c57" "c58" "c59" "c60" "c61" "c62" "c63"
      "c64" "c65" "c66" "c67" "c68" "c69" "c70" "c71" "c72" "c73" "c74" "c75" "c76" "c77" "c78" "c79"
      "c80" "c81" "c82" "c83" "c84" "c85" "c86" "c87" "c88" "c89" "c90" "c91" "c92" "c93" "c94" "c95"
      "c96" "c97" "c98" "c99" "c100" "c101" "c102" "c103" "c104" "c105" "c106" "c107" "c108" "c109"
      "c110" "c111" "c112" "c113" "c114" "c115" "c116" "c117" "c118" "c119" "c120" "c121" "c122"
      "c123" "c124" "c125" "c126" "c127" "c128" "c129" "c130" "c131" "c132" "c133" "c134" "c135"
      "c136" "c137" "c138" "c139" "c140" "c141" "c142" "c143" "c144" "c145" "c146" "c147" "c148"
      "c149" "c150" "c151" "c152" "c153" "c154" "c155" "c156" "c157" "c158" "c159" "c160" "c161"
      "c162" "c163" "c164" "c165" "c166" "c167" "c168" "c169" "c170" "c171" "c172" "c173" "c174"
      "c175" "c176" "c177" "c178" "c179" "c180" "c181" "c182" "c183" "c184" "c185" "c186" "c187"
      "c188" "c189" "c190" "c191" "c192" "c193" "c194" "c195" "c196" "c197" "c198" "c199" "c200"
      "c201" "c202" "c203" "c204" "c205" "c206" "c207" "c208" "c209" "c210" "c211" "c212" "c213"
      "c214" "c215" "c216" "c217" "c218" "c219" "c220" "c221" "c222" "c223" "c224" "c225" "c226"
      "c227" "c228" "c229" "c230" "c231" "c232" "c233" "c234" "c235" "c236" "c237" "c238" "c239"
      "c240" "c241" "c242" "c243" "c244" "c245" "c246" "c247" "c248" "c249" "c250" "c251" "c252"
      "c253" "c254" "c255"))
    (export $e256 "e256" (type $e256'))
    (type $e257' (enum "c0" "c1" "c2" "c3" "c4" "c5" "c6" "c7" "c8" "c9" "c10" "c11" "c12" "c13" "c14" "c15"
      "c16" "c17" "c18" "c19" "c20" "c21" "c22" "c23" "c24" "c25" "c26" "c27" "c28" "c29" "c30" "c31"
      "c32" "c33" "c34" "c35" "c36" "c37" "c38" "c39" "c40" "c41" "c42" "c43" "c44" "c45" "c46" "c47"
      "c48" "c49" "c50" "c51" "c52" "c53" "c54" "c55" "c56" "c57" "c58" "c59" "c60" "c61" "c62" "c63"
      "c64" "c65" "c66" "c67" "c68" "c69" "c70" "c71" "c72" "c73" "c74" "c75" "c76" "c77" "c78" "c79"
      "c80" "c81" "c82" "c83" "c84" "c85" "c86" "c87" "c88" "c89" "c90" "c91" "c92" "c93" "c94" "c95"
      "c96" "c97" "c98" "c99" "c100" "c101" "c102" "c103" "c104" "c105" "c106" "c107" "c108" "c109"
      "c110" "c111" "c112" "c113" "c114" "c115" "c116" "c117" "c118" "c119" "c120" "c121" "c122"
      "c123" "c124" "c125" "c126" "c127" "c128" "c129" "c130" "c131" "c132" "c133" "c134" "c135"
      "c136" "c137" "c138" "c139" "c140" "c141" "c142" "c143" "c144" "c145" "c146" "c147" "c148"
      "c149" "c150" "c151" "c152" "c153" "c154" "c155" "c156" "c157" "c158" "c159" "c160" "c161"
      "c162" "c163" "c164" "c165" "c166" "c167" "c168" "c169" "c170" "c171" "c172" "c173" "c174"
      "c175" "c176" "c177" "c178" "c179" "c180" "c181" "c182" "c183" "c184" "c185" "c186" "c187"
      "c188" "c189" "c190" "c191" "c192" "c193" "c194" "c195" "c196" "c197" "c198" "c199" "c200"
      "c201" "c202" "c203" "c204" "c205" "c206" "c207" "c208" "c209" "c210" "c211" "c212" "c213"
      "c214" "c215" "c216" "c217" "c218" "c219" "c220" "c221" "c222" "c223" "c224" "c225" "c226"
      "c227" "c228" "c229" "c230" "c231" "c232" "c233" "c234" "c235" "c236" "c237" "c238" "c239"
      "c240" "c241" "c242" "c243" "c244" "c245" "c246" "c247" "c248" "c249" "c250" "c251" "c252"
      "c253" "c254" "c255" "c256"))
    (export $e257 "e257" (type $e257'))
    (type $v300' (variant (case "c0" u8) (case "c1") (case "c2") (case "c3") (case "c4") (case "c5") (case "c6")
      (case "c7") (case "c8") (case "c9") (case "c10") (case "c11") (case "c12") (case "c13") (case
      "c14") (case "c15") (case "c16") (case "c17") (case "c18") (case "c19") (case "c20") (case
      "c21") (case "c22") (case "c23") (case "c24") (case "c25") (case "c26") (case "c27") (case
      "c28") (case "c29") (case "c30") (case "c31") (case "c32") (case "c33") (case "c34") (case
      "c35") (case "c36") (case "c37") (case "c38") (case "c39") (case "c40") (case "c41") (case
      "c42") (case "c43") (case "c44") (case "c45") (case "c46") (case "c47") (case "c48") (case
      "c49") (case "c50") (case "c51") (case "c52") (case "c53") (case "c54") (case "c55") (case
      "c56") (case "c57") (case "c58") (case "c59") (case "c60") (case "c61") (case "c62") (case
      "c63") (case "c64") (case "c65") (case "c66") (case "c67") (case "c68") (case "c69") (case
      "c70") (case "c71") (case "c72") (case "c73") (case "c74") (case "c75") (case "c76") (case
      "c77") (case "c78") (case "c79") (case "c80") (case "c81") (case "c82") (case "c83") (case
      "c84") (case "c85") (case "c86") (case "c87") (case "c88") (case "c89") (case "c90") (case
      "c91") (case "c92") (case "c93") (case "c94") (case "c95") (case "c96") (case "c97") (case
      "c98") (case "c99") (case "c100") (case "c101") (case "c102") (case "c103") (case "c104") (case
      "c105") (case "c106") (case "c107") (case "c108") (case "c109") (case "c110") (case "c111")
      (case "c112") (case "c113") (case "c114") (case "c115") (case "c116") (case "c117") (case
      "c118") (case "c119") (case "c120") (case "c121") (case "c122") (case "c123") (case "c124")
      (case "c125") (case "c126") (case "c127") (case "c128") (case "c129") (case "c130") (case
      "c131") (case "c132") (case "c133") (case "c134") (case "c135") (case "c136") (case "c137")
      (case "c138") (case "c139") (case "c140") (case "c141") (case "c142") (case "c143") (case
      "c144") (case "c145") (case "c146") (case "c147") (case "c148") (case "c149") (case "c150")
      (case "c151") (case "c152") (case "c153") (case "c154") (case "c155") (case "c156") (case
      "c157") (case "c158") (case "c159") (case "c160") (case "c161") (case "c162") (case "c163")
      (case "c164") (case "c165") (case "c166") (case "c167") (case "c168") (case "c169") (case
      "c170") (case "c171") (case "c172") (case "c173") (case "c174") (case "c175") (case "c176")
      (case "c177") (case "c178") (case "c179") (case "c180") (case "c181") (case "c182") (case
      "c183") (case "c184") (case "c185") (case "c186") (case "c187") (case "c188") (case "c189")
      (case "c190") (case "c191") (case "c192") (case "c193") (case "c194") (case "c195") (case
      "c196") (case "c197") (case "c198") (case "c199") (case "c200") (case "c201") (case "c202")
      (case "c203") (case "c204") (case "c205") (case "c206") (case "c207") (case "c208") (case
      "c209") (case "c210") (case "c211") (case "c212") (case "c213") (case "c214") (case "c215")
      (case "c216") (case "c217") (case "c218") (case "c219") (case "c220") (case "c221") (case
      "c222") (case "c223") (case "c224") (case "c225") (case "c226") (case "c227") (case "c228")
      (case "c229") (case "c230") (case "c231") (case "c232") (case "c233") (case "c234") (case
      "c235") (case "c236") (case "c237") (case "c238") (case "c239") (case "c240") (case "c241")
      (case "c242") (case "c243") (case "c244") (case "c245") (case "c246") (case "c247") (case
      "c248") (case "c249") (case "c250") (case "c251") (case "c252") (case "c253") (case "c254")
      (case "c255") (case "c256") (case "c257") (case "c258") (case "c259") (case "c260") (case
      "c261") (case "c262") (case "c263") (case "c264") (case "c265") (case "c266") (case "c267")
      (case "c268") (case "c269") (case "c270") (case "c271") (case "c272") (case "c273") (case
      "c274") (case "c275") (case "c276") (case "c277") (case "c278") (case "c279") (case "c280")
      (case "c281") (case "c282") (case "c283") (case "c284") (case "c285") (case "c286") (case
      "c287") (case "c288") (case "c289") (case "c290") (case "c291") (case "c292") (case "c293")
      (case "c294") (case "c295") (case "c296") (case "c297") (case "c298") (case "c299" u32)))
    (export $v300 "v300" (type $v300'))
    (type $mix' (variant (case "a" f32) (case "b" u64) (case "c" f64) (case "d" u32) (case "e" s8) (case "f")))
    (export $mix "mix" (type $mix'))
    (func (export "raw-e256") (param "x" $e256) (result u32) (canon lift (core func $m "id")))
    (func (export "raw-e257") (param "x" $e257) (result u32) (canon lift (core func $m "id")))
    (func (export "lift-e256") (param "x" u32) (result $e256) (canon lift (core func $m "id")))
    (func (export "lift-e257") (param "x" u32) (result $e257) (canon lift (core func $m "id")))
    (func (export "load-e256") (param "bits" u32) (result (tuple u8 $e256 u8)) (canon lift (core func $m "load-1") (memory (core memory $m "mem"))))
    (func (export "load-e257") (param "bits" u32) (result (tuple u8 $e257 u8)) (canon lift (core func $m "load-2") (memory (core memory $m "mem"))))
    (func (export "echo-v300") (param "x" $v300) (result $v300) (canon lift (core func $m "echo-v300") (memory (core memory $m "mem"))))
    (func (export "lift-v300") (param "disc" u32) (param "payload" u32) (result $v300) (canon lift (core func $m "echo-v300") (memory (core memory $m "mem"))))
    (func (export "list-v300") (param "l" (list $v300)) (result (list u32)) (canon lift (core func $m "words") (memory (core memory $m "mem")) (realloc (core func $m "realloc"))))
    (func (export "raw-oo") (param "x" (option (option u32))) (result (tuple u32 u32 u32)) (canon lift (core func $m "raw3") (memory (core memory $m "mem"))))
    (func (export "lift-oo") (param "a" u32) (param "b" u32) (param "c" u32) (result (option (option u32))) (canon lift (core func $m "lift-oo") (memory (core memory $m "mem"))))
    (func (export "raw-rr") (param "x" (result (option u64) (error (list string)))) (result (tuple u32 u32 u64)) (canon lift (core func $m "raw-rr") (memory (core memory $m "mem")) (realloc (core func $m "realloc"))))
    (func (export "echo-rr") (param "x" (result (option u64) (error (list string)))) (result (result (option u64) (error (list string)))) (canon lift (core func $m "echo-rr") (memory (core memory $m "mem")) (realloc (core func $m "realloc"))))
    (func (export "raw-mix") (param "x" $mix) (result (tuple u32 u64)) (canon lift (core func $m "raw-mix") (memory (core memory $m "mem")))))
  (component $D
    (import "c" (instance $c
      (type $e257' (enum "c0" "c1" "c2" "c3" "c4" "c5" "c6" "c7" "c8" "c9" "c10" "c11" "c12" "c13" "c14" "c15"
        "c16" "c17" "c18" "c19" "c20" "c21" "c22" "c23" "c24" "c25" "c26" "c27" "c28" "c29" "c30" "c31"
        "c32" "c33" "c34" "c35" "c36" "c37" "c38" "c39" "c40" "c41" "c42" "c43" "c44" "c45" "c46" "c47"
        "c48" "c49" "c50" "c51" "c52" "c53" "c54" "c55" "c56" "c57" "c58" "c59" "c60" "c61" "c62" "c63"
        "c64" "c65" "c66" "c67" "c68" "c69" "c70" "c71" "c72" "c73" "c74" "c75" "c76" "c77" "c78" "c79"
        "c80" "c81" "c82" "c83" "c84" "c85" "c86" "c87" "c88" "c89" "c90" "c91" "c92" "c93" "c94" "c95"
        "c96" "c97" "c98" "c99" "c100" "c101" "c102" "c103" "c104" "c105" "c106" "c107" "c108" "c109"
        "c110" "c111" "c112" "c113" "c114" "c115" "c116" "c117" "c118" "c119" "c120" "c121" "c122"
        "c123" "c124" "c125" "c126" "c127" "c128" "c129" "c130" "c131" "c132" "c133" "c134" "c135"
        "c136" "c137" "c138" "c139" "c140" "c141" "c142" "c143" "c144" "c145" "c146" "c147" "c148"
        "c149" "c150" "c151" "c152" "c153" "c154" "c155" "c156" "c157" "c158" "c159" "c160" "c161"
        "c162" "c163" "c164" "c165" "c166" "c167" "c168" "c169" "c170" "c171" "c172" "c173" "c174"
        "c175" "c176" "c177" "c178" "c179" "c180" "c181" "c182" "c183" "c184" "c185" "c186" "c187"
        "c188" "c189" "c190" "c191" "c192" "c193" "c194" "c195" "c196" "c197" "c198" "c199" "c200"
        "c201" "c202" "c203" "c204" "c205" "c206" "c207" "c208" "c209" "c210" "c211" "c212" "c213"
        "c214" "c215" "c216" "c217" "c218" "c219" "c220" "c221" "c222" "c223" "c224" "c225" "c226"
        "c227" "c228" "c229" "c230" "c231" "c232" "c233" "c234" "c235" "c236" "c237" "c238" "c239"
        "c240" "c241" "c242" "c243" "c244" "c245" "c246" "c247" "c248" "c249" "c250" "c251" "c252"
        "c253" "c254" "c255" "c256"))
      (export "e257" (type $e257 (eq $e257')))
      (type $mix' (variant (case "a" f32) (case "b" u64) (case "c" f64) (case "d" u32) (case "e" s8) (case "f")))
      (export "mix" (type $mix (eq $mix')))
      (export "raw-e257" (func (param "x" $e257) (result u32)))
      (export "raw-oo" (func (param "x" (option (option u32))) (result (tuple u32 u32 u32))))
      (export "echo-rr" (func (param "x" (result (option u64) (error (list string)))) (result (result (option u64) (error (list string))))))
      (export "raw-mix" (func (param "x" $mix) (result (tuple u32 u64))))))
    (core module $Mem
      (memory (export "mem") 1)
      (global $bump (mut i32) (i32.const 1024))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (local.get $p))
      ;; a list<string> ["a", "bc"] at 256: (272, 1), (273, 2), and "abc" at 272
      (data (i32.const 256) "\10\01\00\00\01\00\00\00\11\01\00\00\02\00\00\00")
      (data (i32.const 272) "abc"))
    (core instance $mem (instantiate $Mem))
    (core func $raw-e257 (canon lower (func $c "raw-e257")))
    (core func $raw-oo (canon lower (func $c "raw-oo") (memory (core memory $mem "mem"))))
    (core func $echo-rr (canon lower (func $c "echo-rr") (memory (core memory $mem "mem")) (realloc (core func $mem "realloc"))))
    (core func $raw-mix (canon lower (func $c "raw-mix") (memory (core memory $mem "mem"))))
    (core module $DM
      (import "" "raw-e257" (func $raw-e257 (param i32) (result i32)))
      (import "" "raw-oo" (func $raw-oo (param i32 i32 i32 i32)))
      (import "" "echo-rr" (func $echo-rr (param i32 i32 i64 i32)))
      (import "" "raw-mix" (func $raw-mix (param i32 i64 i32)))
      (func (export "pass-e257") (param i32) (result i32) (call $raw-e257 (local.get 0)))
      (func (export "pass-oo") (param i32 i32 i32) (result i32)
        (call $raw-oo (local.get 0) (local.get 1) (local.get 2) (i32.const 32)) (i32.const 32))
      (func (export "pass-rr") (param i32 i32 i64) (result i32)
        (call $echo-rr (local.get 0) (local.get 1) (local.get 2) (i32.const 64)) (i32.const 64))
      (func (export "pass-mix") (param i32 i64) (result i32)
        (call $raw-mix (local.get 0) (local.get 1) (i32.const 96)) (i32.const 96)))
    (core instance $dm (instantiate $DM (with "" (instance
      (export "raw-e257" (func $raw-e257)) (export "raw-oo" (func $raw-oo))
      (export "echo-rr" (func $echo-rr)) (export "raw-mix" (func $raw-mix))))))
    (func (export "pass-e257") (param "disc" u32) (result u32) (canon lift (core func $dm "pass-e257")))
    (func (export "pass-oo") (param "a" u32) (param "b" u32) (param "c" u32) (result (tuple u32 u32 u32))
      (canon lift (core func $dm "pass-oo") (memory (core memory $mem "mem"))))
    (func (export "pass-rr") (param "disc" u32) (param "s1" u32) (param "s2" u64) (result (result (option u64) (error (list string))))
      (canon lift (core func $dm "pass-rr") (memory (core memory $mem "mem"))))
    (func (export "pass-mix") (param "disc" u32) (param "bits" u64) (result (tuple u32 u64))
      (canon lift (core func $dm "pass-mix") (memory (core memory $mem "mem")))))
  (instance $c (instantiate $C))
  (instance $d (instantiate $D (with "c" (instance $c))))
  (export "c" (instance $c))
  (export "d" (instance $d))
)
(component instance $v $Variants)

;; enums: the case index, flat; 256 and 257 cases are the edges of the u8 discriminant.
(assert_return (invoke "c#raw-e256" (enum.const "c0")) (u32.const 0))
(assert_return (invoke "c#raw-e256" (enum.const "c255")) (u32.const 255))
(assert_return (invoke "c#raw-e257" (enum.const "c256")) (u32.const 256))
(assert_return (invoke "c#lift-e256" (u32.const 255)) (enum.const "c255"))
(assert_return (invoke "c#lift-e257" (u32.const 256)) (enum.const "c256"))
(component instance $v $Variants)
(assert_trap (invoke "c#lift-e256" (u32.const 256)) "invalid variant discriminant 256")
(component instance $v $Variants)
(assert_trap (invoke "c#lift-e257" (u32.const 257)) "invalid variant discriminant 257")
(component instance $v $Variants)
(assert_trap (invoke "c#lift-e257" (u32.const 0x10000)) "invalid variant discriminant 65536")
;; in memory, 256 cases take 1 byte (at offset 1), 257 take 2 (at offset 2): the bytes above
;; are not read (0x01xx in one byte is case xx; 0xffff0100 in two bytes is case 256).
(component instance $v $Variants)
(assert_return (invoke "c#load-e256" (u32.const 0xffffff05)) (tuple.const (u8.const 0xaa) (enum.const "c5") (u8.const 0xbb)))
(assert_return (invoke "c#load-e256" (u32.const 0x1ff)) (tuple.const (u8.const 0xaa) (enum.const "c255") (u8.const 0xbb)))
(assert_return (invoke "c#load-e257" (u32.const 0x100)) (tuple.const (u8.const 0xaa) (enum.const "c256") (u8.const 0xbb)))
(assert_return (invoke "c#load-e257" (u32.const 0xffff0100)) (tuple.const (u8.const 0xaa) (enum.const "c256") (u8.const 0xbb)))
(assert_return (invoke "c#load-e257" (u32.const 0x00ff)) (tuple.const (u8.const 0xaa) (enum.const "c255") (u8.const 0xbb)))
(component instance $v $Variants)
(assert_trap (invoke "c#load-e257" (u32.const 0x101)) "invalid variant discriminant 257")
(component instance $v $Variants)
(assert_trap (invoke "c#load-e257" (u32.const 0xffff)) "invalid variant discriminant 65535")
;; guest → guest: a flat discriminant is checked whole, not truncated to its width.
(component instance $v $Variants)
(assert_return (invoke "d#pass-e257" (u32.const 256)) (u32.const 256))
(component instance $v $Variants)
(assert_trap (invoke "d#pass-e257" (u32.const 257)) "invalid variant discriminant 257")
(component instance $v $Variants)
(assert_trap (invoke "d#pass-e257" (u32.const 0x10100)) "invalid variant discriminant 65792")

;; a 300-case variant: u16 discriminant, payload at 4 (its maximum alignment), 8 bytes.
(component instance $v $Variants)
(assert_return (invoke "c#echo-v300" (variant.const "c299" (u32.const 0xffffffff))) (variant.const "c299" (u32.const 0xffffffff)))
(assert_return (invoke "c#echo-v300" (variant.const "c0" (u8.const 255))) (variant.const "c0" (u8.const 255)))
(assert_return (invoke "c#echo-v300" (variant.const "c150")) (variant.const "c150"))
(assert_return (invoke "c#lift-v300" (u32.const 299) (u32.const 7)) (variant.const "c299" (u32.const 7)))
(assert_return (invoke "c#lift-v300" (u32.const 0) (u32.const 0x1ff)) (variant.const "c0" (u8.const 255)))
(assert_return (invoke "c#lift-v300" (u32.const 0x10100) (u32.const 0)) (variant.const "c256"))
(assert_return (invoke "c#list-v300" (list.const (variant.const "c299" (u32.const 7)) (variant.const "c0" (u8.const 255)) (variant.const "c1") (variant.const "c258"))) (list.const (u32.const 299) (u32.const 7) (u32.const 0) (u32.const 255) (u32.const 1) (u32.const 0) (u32.const 258) (u32.const 0)))
(component instance $v $Variants)
(assert_trap (invoke "c#lift-v300" (u32.const 300) (u32.const 0)) "invalid variant discriminant 300")
(component instance $v $Variants)
(assert_trap (invoke "c#lift-v300" (u32.const 0xffff) (u32.const 0)) "invalid variant discriminant 65535")

;; option<option<u32>>: flat [i32, i32, i32]; in memory u8 at 0, u8 at 4, u32 at 8.
(component instance $v $Variants)
(assert_return (invoke "c#raw-oo" (option.none)) (tuple.const (u32.const 0) (u32.const 0) (u32.const 0)))
(assert_return (invoke "c#raw-oo" (option.some (option.none))) (tuple.const (u32.const 1) (u32.const 0) (u32.const 0)))
(assert_return (invoke "c#raw-oo" (option.some (option.some (u32.const 5)))) (tuple.const (u32.const 1) (u32.const 1) (u32.const 5)))
(assert_return (invoke "c#raw-oo" (option.some (option.some (u32.const 0xffffffff)))) (tuple.const (u32.const 1) (u32.const 1) (u32.const 0xffffffff)))
(assert_return (invoke "c#lift-oo" (u32.const 0) (u32.const 7) (u32.const 7)) (option.none))
(assert_return (invoke "c#lift-oo" (u32.const 1) (u32.const 0) (u32.const 9)) (option.some (option.none)))
(assert_return (invoke "c#lift-oo" (u32.const 1) (u32.const 1) (u32.const 9)) (option.some (option.some (u32.const 9))))
(component instance $v $Variants)
(assert_trap (invoke "c#lift-oo" (u32.const 2) (u32.const 0) (u32.const 0)) "invalid variant discriminant 2 for option")
(component instance $v $Variants)
(assert_trap (invoke "c#lift-oo" (u32.const 1) (u32.const 2) (u32.const 0)) "invalid variant discriminant 2 for option")
;; guest → guest: payload slots a case does not use reach the callee as 0.
(component instance $v $Variants)
(assert_return (invoke "d#pass-oo" (u32.const 1) (u32.const 1) (u32.const 5)) (tuple.const (u32.const 1) (u32.const 1) (u32.const 5)))
(assert_return (invoke "d#pass-oo" (u32.const 0) (u32.const 9) (u32.const 9)) (tuple.const (u32.const 0) (u32.const 0) (u32.const 0)))
(assert_return (invoke "d#pass-oo" (u32.const 1) (u32.const 0) (u32.const 9)) (tuple.const (u32.const 1) (u32.const 0) (u32.const 0)))
(component instance $v $Variants)
(assert_trap (invoke "d#pass-oo" (u32.const 1) (u32.const 3) (u32.const 9)) "invalid variant discriminant 3 for option")

;; result<option<u64>, list<string>>: flat [i32, i32, i64] (the option's discriminant or the
;; list pointer in the i32, the u64 or the list length in the i64).
(component instance $v $Variants)
(assert_return (invoke "c#echo-rr" (result.ok (option.none))) (result.ok (option.none)))
(assert_return (invoke "c#echo-rr" (result.ok (option.some (u64.const 0xffffffffffffffff)))) (result.ok (option.some (u64.const 0xffffffffffffffff))))
(assert_return (invoke "c#echo-rr" (result.ok (option.some (u64.const 0)))) (result.ok (option.some (u64.const 0))))
(assert_return (invoke "c#echo-rr" (result.err (list.const))) (result.err (list.const)))
(assert_return (invoke "c#echo-rr" (result.err (list.const (str.const "") (str.const "héllo") (str.const "🍰")))) (result.err (list.const (str.const "") (str.const "héllo") (str.const "🍰"))))
(assert_return (invoke "c#raw-rr" (result.ok (option.some (u64.const 0x0123456789abcdef)))) (tuple.const (u32.const 0) (u32.const 1) (u64.const 0x0123456789abcdef)))
(assert_return (invoke "c#raw-rr" (result.ok (option.none))) (tuple.const (u32.const 0) (u32.const 0) (u64.const 0)))
;; guest → guest: the list length comes from the low 32 bits of the i64 slot.
(assert_return (invoke "d#pass-rr" (u32.const 0) (u32.const 1) (u64.const 0x1122334455667788)) (result.ok (option.some (u64.const 0x1122334455667788))))
(assert_return (invoke "d#pass-rr" (u32.const 0) (u32.const 0) (u64.const 5)) (result.ok (option.none)))
(assert_return (invoke "d#pass-rr" (u32.const 1) (u32.const 256) (u64.const 0xffffffff00000002)) (result.err (list.const (str.const "a") (str.const "bc"))))
(assert_return (invoke "d#pass-rr" (u32.const 1) (u32.const 256) (u64.const 0)) (result.err (list.const)))
(component instance $v $Variants)
(assert_trap (invoke "d#pass-rr" (u32.const 2) (u32.const 0) (u64.const 0)) "invalid variant discriminant 2 for result")
(component instance $v $Variants)
(assert_trap (invoke "d#pass-rr" (u32.const 0) (u32.const 2) (u64.const 0)) "invalid variant discriminant 2 for option")
(component instance $v $Variants)
(assert_trap (invoke "d#pass-rr" (u32.const 1) (u32.const 258) (u64.const 1)) "unaligned pointer")

;; variant { a(f32), b(u64), c(f64), d(u32), e(s8), f }: flat [i32, i64]; an f32 travels as its
;; bits, a u32 or s8 zero-extended, nothing as 0.
(component instance $v $Variants)
(assert_return (invoke "c#raw-mix" (variant.const "a" (f32.const 1.5))) (tuple.const (u32.const 0) (u64.const 0x3fc00000)))
(assert_return (invoke "c#raw-mix" (variant.const "a" (f32.const -0))) (tuple.const (u32.const 0) (u64.const 0x80000000)))
(assert_return (invoke "c#raw-mix" (variant.const "b" (u64.const 0xffffffffffffffff))) (tuple.const (u32.const 1) (u64.const 0xffffffffffffffff)))
(assert_return (invoke "c#raw-mix" (variant.const "c" (f64.const -0))) (tuple.const (u32.const 2) (u64.const 0x8000000000000000)))
(assert_return (invoke "c#raw-mix" (variant.const "d" (u32.const 0xffffffff))) (tuple.const (u32.const 3) (u64.const 0xffffffff)))
(assert_return (invoke "c#raw-mix" (variant.const "e" (s8.const -1))) (tuple.const (u32.const 4) (u64.const 0xffffffff)))
(assert_return (invoke "c#raw-mix" (variant.const "f")) (tuple.const (u32.const 5) (u64.const 0)))
;; guest → guest: an f32, u32 or s8 payload is the low 32 bits of the caller's i64 slot; an
;; empty case's slot reaches the callee as 0.
(assert_return (invoke "d#pass-mix" (u32.const 0) (u64.const 0xdeadbeef3fc00000)) (tuple.const (u32.const 0) (u64.const 0x3fc00000)))
(assert_return (invoke "d#pass-mix" (u32.const 2) (u64.const 0x3ff0000000000000)) (tuple.const (u32.const 2) (u64.const 0x3ff0000000000000)))
(assert_return (invoke "d#pass-mix" (u32.const 3) (u64.const 0xffffffff00000005)) (tuple.const (u32.const 3) (u64.const 5)))
(assert_return (invoke "d#pass-mix" (u32.const 4) (u64.const 0x1234567812345680)) (tuple.const (u32.const 4) (u64.const 0xffffff80)))
(assert_return (invoke "d#pass-mix" (u32.const 5) (u64.const 0xffffffffffffffff)) (tuple.const (u32.const 5) (u64.const 0)))
(component instance $v $Variants)
(assert_trap (invoke "d#pass-mix" (u32.const 6) (u64.const 0)) "invalid variant discriminant 6 for variant")
