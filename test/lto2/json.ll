; The job file is upstream LLVM 22's layout byte for byte: one line, no
; trailing newline, keys in order, imports in job inputs, comma-split
; distributor/compiler args, prepend args right after the compiler.

; RUN: rm -rf %t && split-file %s %t && cd %t
; RUN: %{make_t12}

; RUN: not dtlto-lto2 run t1.bc t2.bc -o t.o -save-temps \
; RUN:   %{t12_res} \
; RUN:   --dtlto-distributor=dtlto-validate \
; RUN:   --dtlto-distributor-arg=da1,da2 --dtlto-distributor-arg=da3 \
; RUN:   --dtlto-compiler=my_clang \
; RUN:   --dtlto-compiler-prepend-arg=pre1,pre2 \
; RUN:   --dtlto-compiler-arg=ca1,ca2 2>&1 | FileCheck %s --check-prefix=VALIDATE

; VALIDATE: distributor_args=["da1", "da2", "da3"]
; VALIDATE: "linker_output": "t.o",
; VALIDATE: cannot open native object file: t1.1.[[#PID:]].native.o: No such file or directory (job for module 't1.bc')

; RUN: ls t.*.dist-file.json | count 1
; RUN: sed -e 's/\.[0-9]*\.native/.PID.native/g' t.*.dist-file.json > norm.json
; RUN: tr -d '\n' < expected.json > expected-one-line.json
; RUN: cmp norm.json expected-one-line.json

;--- expected.json
{"common":{"linker_output":"t.o","args":["my_clang","pre1","pre2","-c","--target=x86_64-unknown-linux-gnu","-O2","-fpic","-Wno-unused-command-line-argument","ca1","ca2"],"inputs":[]},"jobs":[{"args":["t1.bc","-fthinlto-index=t1.1.PID.native.o.thinlto.bc","-o","t1.1.PID.native.o"],"inputs":["t1.bc","t1.1.PID.native.o.thinlto.bc","t2.bc"],"outputs":["t1.1.PID.native.o"]},{"args":["t2.bc","-fthinlto-index=t2.2.PID.native.o.thinlto.bc","-o","t2.2.PID.native.o"],"inputs":["t2.bc","t2.2.PID.native.o.thinlto.bc"],"outputs":["t2.2.PID.native.o"]}]}
