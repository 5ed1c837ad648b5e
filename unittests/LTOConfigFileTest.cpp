//===- LTOConfigFileTest.cpp - The link's lto::Config as a file -----------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dtlto/LTOConfigFile.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/xxhash.h"

#include "gtest/gtest.h"

using namespace llvm;
using namespace dtlto;

namespace {

lto::Config unusual() {
  lto::Config C;
  C.CPU = "x86-64-v3";
  C.MAttrs = {"+avx2", "-sse4a"};
  C.RelocModel = std::nullopt;
  C.CodeModel = CodeModel::Large;
  C.CGOptLevel = CodeGenOptLevel::Less;
  C.OptLevel = 1;
  C.DwoDir = "out/app-dwo";
  C.RemarksFilename = "r.yaml";
  C.RemarksHotnessThreshold = std::nullopt;
  C.OptPipeline = "default<O1>";
  C.Options.FunctionSections = true;
  C.Options.TLSSize = 17;
  C.Options.FloatABIType = FloatABI::Hard;
  C.Options.BinutilsVersion = {2, 40};
  C.Options.BBSectionsFuncListBuf =
      MemoryBuffer::getMemBufferCopy("!foo\n", "list");
  C.Options.MCOptions.OutputAsmVariant = 1;
  C.Options.MCOptions.IASSearchPaths = {"a b", "c\n\"d\""};
  C.PTO.InlinerThreshold = -5;
  return C;
}

/// The text with its body replaced and the header's hash made to match.
std::string rehash(StringRef Text, StringRef From, StringRef To) {
  auto [Header, Body] = Text.split('\n');
  std::string NewBody = Body.str();
  size_t At = NewBody.find(From.str());
  EXPECT_NE(At, std::string::npos) << From.str();
  NewBody.replace(At, From.size(), To.str());
  std::string H = Header.rsplit(' ').first.str();
  return H + " " +
         utohexstr(xxh3_64bits(arrayRefFromStringRef(NewBody)), true, 16) +
         "\n" + NewBody;
}

Error read(StringRef Text) {
  lto::Config C;
  WorkerSettings S;
  return readLTOConfig(Text, "cfg", C, S);
}

std::string message(Error E) { return toString(std::move(E)); }

TEST(LTOConfigFile, RoundTrip) {
  lto::Config In = unusual();
  WorkerSettings SIn;
  SIn.LLVMOptions = {"-align-all-functions=6"};
  std::string Text = writeLTOConfig(In, SIn);
  lto::Config Out;
  WorkerSettings SOut;
  ASSERT_FALSE(bool(readLTOConfig(Text, "cfg", Out, SOut)));
  EXPECT_EQ(Out.CPU, In.CPU);
  EXPECT_EQ(Out.MAttrs, In.MAttrs);
  EXPECT_FALSE(Out.RelocModel.has_value());
  EXPECT_EQ(Out.CodeModel, In.CodeModel);
  EXPECT_EQ(Out.CGOptLevel, CodeGenOptLevel::Less);
  EXPECT_EQ(Out.OptLevel, 1u);
  EXPECT_EQ(Out.DwoDir, In.DwoDir);
  EXPECT_FALSE(Out.RemarksHotnessThreshold.has_value());
  EXPECT_EQ(Out.OptPipeline, In.OptPipeline);
  EXPECT_TRUE(Out.Options.FunctionSections);
  EXPECT_EQ(Out.Options.TLSSize, 17u);
  EXPECT_EQ(Out.Options.FloatABIType, FloatABI::Hard);
  EXPECT_EQ(Out.Options.BinutilsVersion, std::make_pair(2, 40));
  ASSERT_TRUE(Out.Options.BBSectionsFuncListBuf);
  EXPECT_EQ(Out.Options.BBSectionsFuncListBuf->getBuffer(), "!foo\n");
  EXPECT_EQ(Out.Options.MCOptions.OutputAsmVariant, 1u);
  EXPECT_EQ(Out.Options.MCOptions.IASSearchPaths,
            In.Options.MCOptions.IASSearchPaths);
  EXPECT_EQ(Out.PTO.InlinerThreshold, -5);
  EXPECT_EQ(SOut.LLVMOptions, SIn.LLVMOptions);
  // Written again, the same bytes: nothing is lost or reordered.
  EXPECT_EQ(writeLTOConfig(Out, SOut), Text);
}

TEST(LTOConfigFile, Refusals) {
  std::string Text = writeLTOConfig(unusual(), {});
  ASSERT_FALSE(bool(read(Text)));

  std::string V2 = Text;
  V2.replace(0, 18, "dtlto-lto-config 2");
  EXPECT_NE(message(read(V2)).find("format version 2, this worker reads "
                                   "version 1 only"),
            std::string::npos);

  std::string Corrupt = Text;
  Corrupt[Corrupt.find("\"Config.OptLevel\":1") + 18] = '3';
  EXPECT_NE(message(read(Corrupt))
                .find("'cfg': its contents do not match "
                      "its hash"),
            std::string::npos);
  EXPECT_NE(message(read(Text.substr(0, Text.size() - 10))).find("hash"),
            std::string::npos);

  EXPECT_NE(message(read(rehash(Text, "\"Config.CPU\"", "\"Config.Cpu\"")))
                .find("field 'Config.Cpu' is unknown"),
            std::string::npos);
  EXPECT_NE(message(read(rehash(Text, "\"Config.OptLevel\":1",
                                "\"Config.OptLevel\":\"1\"")))
                .find("field 'Config.OptLevel' is not an integer"),
            std::string::npos);
  EXPECT_NE(message(read(rehash(Text, "\"Config.OptLevel\":1,", "")))
                .find("field 'Config.OptLevel' is missing"),
            std::string::npos);
  EXPECT_NE(message(read("not a config\n{}")).find("bad header"),
            std::string::npos);
  std::string OtherLLVM = Text;
  OtherLLVM.replace(OtherLLVM.find(" llvm ") + 6, 2, "21");
  EXPECT_NE(message(read(OtherLLVM)).find("written for LLVM 21."),
            std::string::npos);
}

} // namespace
