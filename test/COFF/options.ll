; lld-link's DTLTO options (/ and - spellings, the -mllvm: design-era form
; and /thinlto-remote-opt-tool:) reach the job file; COFF gets no -fpic and
; the full MSVC triple; a missing or empty remote compiler is an error.

; RUN: rm -rf %t && split-file %s %t && cd %t
; RUN: opt -thinlto-bc t1.ll -o t1.obj
; RUN: opt -thinlto-bc t2.ll -o t2.obj

; RUN: not lld-link t1.obj t2.obj /entry:t1 /subsystem:console /out:t.exe \
; RUN:   /thinlto-distributor:dtlto-validate /thinlto-distributor-arg:d1 \
; RUN:   -thinlto-distributor-arg:d2 -mllvm:-thinlto-distributor-arg=d3 \
; RUN:   /thinlto-remote-compiler:my_clang /thinlto-remote-compiler-prepend-arg:p1 \
; RUN:   /thinlto-remote-compiler-arg:c1 /opt:lldlto=3 2>&1 | FileCheck %s
; CHECK:      distributor_args=["d1", "d2", "d3"]
; CHECK:      "linker_output": "t.exe",
; CHECK-NEXT: "args": [
; CHECK-NEXT:     "my_clang",
; CHECK-NEXT:     "p1",
; CHECK-NEXT:     "-c",
; CHECK-NEXT:     "--target=x86_64-pc-windows-msvc19.33.0",
; CHECK-NEXT:     "-O3",
; CHECK-NEXT:     "-faddrsig",
; CHECK-NEXT:     "-ffunction-sections",
; CHECK-NEXT:     "-fdata-sections",
; CHECK-NEXT:     "-Wno-unused-command-line-argument",
; CHECK-NEXT:     "c1"
; CHECK-NEXT: ],

; RUN: not lld-link t1.obj t2.obj /entry:t1 /subsystem:console /out:t.exe \
; RUN:   /thinlto-distributor:dtlto-validate /thinlto-remote-opt-tool:old_clang 2>&1 \
; RUN:   | FileCheck %s --check-prefix=OLD
; OLD: "args": [
; OLD-NEXT: "old_clang",

; RUN: not lld-link t1.obj t2.obj /entry:t1 /out:t.exe \
; RUN:   /thinlto-distributor:dtlto-validate 2>&1 | FileCheck %s --check-prefix=NOCC
; RUN: not lld-link t1.obj t2.obj /entry:t1 /out:t.exe \
; RUN:   /thinlto-distributor:dtlto-validate /thinlto-remote-compiler: 2>&1 \
; RUN:   | FileCheck %s --check-prefix=NOCC
; NOCC: A value must be specified for /thinlto-remote-compiler if /thinlto-distributor is specified.

;--- t1.ll
target datalayout = "e-m:w-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-windows-msvc19.33.0"

define i32 @t1() {
  %r = call i32 @t2()
  ret i32 %r
}

declare i32 @t2()
;--- t2.ll
target datalayout = "e-m:w-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-windows-msvc19.33.0"

define i32 @t2() {
  ret i32 7
}
