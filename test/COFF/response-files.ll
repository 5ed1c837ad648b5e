; Covers: tools/dtlto-lld/CommandLine.cpp for lld-link. Response files
; (Windows quoting, lld-link's default on every host), the LINK and _LINK_
; environment variables and any case of option names reach our option
; handling as they reach lld-link's; /lldignoreenv turns the variables off.

; RUN: rm -rf %t && split-file %s %t && cd %t
; RUN: opt -thinlto-bc t1.ll -o t1.obj
; RUN: opt -thinlto-bc t2.ll -o t2.obj
; DEFINE: %{link} = lld-link t1.obj t2.obj /entry:t1 /subsystem:console /out:t.exe \
; DEFINE:   /thinlto-distributor:dtlto-validate

; RUN: not %{link} @outer.rsp 2>&1 | FileCheck %s
; CHECK:      distributor_args=["a b", "d2"]
; CHECK:      "args": [
; CHECK-NEXT:   "old_clang",

; RUN: not env LINK="/thinlto-distributor-arg:fromLINK" _LINK_=-MLLVM:-thinlto-distributor-arg=from_LINK_ \
; RUN:   %{link} /thinlto-remote-compiler:cc /thinlto-distributor-arg:cmd 2>&1 \
; RUN:   | FileCheck %s --check-prefix=ENV
; ENV: distributor_args=["from_LINK_", "fromLINK", "cmd"]
; RUN: not env LINK="/thinlto-distributor-arg:fromLINK" \
; RUN:   %{link} /thinlto-remote-compiler:cc /lldignoreenv 2>&1 \
; RUN:   | FileCheck %s --check-prefix=IGNORE
; IGNORE: distributor_args=[]

; Our own option, in capitals, inside a response file: the link falls back.
; RUN: %{link} /thinlto-remote-compiler:cc @fallback.rsp 2>&1 \
; RUN:   | FileCheck %s --check-prefix=FALLBACK
; FALLBACK-COUNT-2: compiling it in the linker instead

;--- outer.rsp
"/thinlto-distributor-arg:a b" @inner.rsp
;--- inner.rsp
/THINLTO-REMOTE-OPT-TOOL:old_clang -mllvm:-thinlto-distributor-arg=d2
;--- fallback.rsp
/THINLTO-DISTRIBUTOR-FALLBACK /thinlto-distributor-timeout:60
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
