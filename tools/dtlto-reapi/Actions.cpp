//===- Actions.cpp - A job file as REAPI actions --------------------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Actions.h"

#include "dtlto/Files.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

using namespace dtlto;

std::string dtlto::normalizeRelative(const std::string &Path) {
  if (Path.empty() || Path[0] == '/')
    return "";
  std::vector<std::string> Parts;
  size_t Start = 0;
  while (Start <= Path.size()) {
    size_t End = Path.find('/', Start);
    if (End == std::string::npos)
      End = Path.size();
    std::string Part = Path.substr(Start, End - Start);
    if (Part == "..") {
      if (!Parts.empty() && Parts.back() != "..")
        Parts.pop_back();
      else
        Parts.push_back("..");
    } else if (!Part.empty() && Part != ".") {
      Parts.push_back(Part);
    }
    Start = End + 1;
  }
  std::string Out;
  for (const std::string &P : Parts)
    Out += (Out.empty() ? "" : "/") + P;
  return Out.empty() ? "." : Out;
}

namespace {

// Point every argument that is \p Path, or ends in '=' + \p Path, at \p To;
// whether any did.
bool renameInArgs(std::vector<std::string> &Args, const std::string &Path,
                  const std::string &To) {
  bool Used = false;
  for (std::string &A : Args) {
    if (A == Path) {
      A = To;
      Used = true;
    } else if (A.size() > Path.size() &&
               A.compare(A.size() - Path.size(), Path.size(), Path) == 0 &&
               A[A.size() - Path.size() - 1] == '=') {
      A = A.substr(0, A.size() - Path.size()) + To;
      Used = true;
    }
  }
  return Used;
}

// The extension of a path's last component ("" if none), kept in fixed names.
std::string extensionOf(const std::string &P) {
  size_t Dot = P.rfind('.'), Slash = P.rfind('/');
  return Dot != std::string::npos && (Slash == std::string::npos || Dot > Slash)
             ? P.substr(Dot)
             : "";
}

// How many directories above the working directory a normalized path goes.
unsigned climbs(const std::string &Normal) {
  unsigned N = 0;
  for (size_t At = 0; Normal.compare(At, 2, "..") == 0; At += 3)
    ++N;
  return N;
}

// One job's input root while it is built: file path -> digest.
struct Tree {
  std::map<std::string, std::pair<rex::Digest, bool>> Files; // + executable

  // Serialize the directory at \p Dir ("" is the root) and everything
  // below it into \p Blobs; returns its digest.
  rex::Digest emit(const std::string &Dir, ActionSet &Set,
                   std::vector<std::string> &Keys) const {
    rex::Directory D;
    std::set<std::string> Subdirs;
    std::string Prefix = Dir.empty() ? "" : Dir + "/";
    for (const auto &[Path, File] : Files) {
      if (Path.compare(0, Prefix.size(), Prefix) != 0)
        continue;
      std::string Rest = Path.substr(Prefix.size());
      size_t Slash = Rest.find('/');
      if (Slash != std::string::npos) {
        Subdirs.insert(Rest.substr(0, Slash));
        continue;
      }
      rex::FileNode *N = D.add_files();
      N->set_name(Rest);
      *N->mutable_digest() = File.first;
      N->set_is_executable(File.second);
    }
    for (const std::string &Sub : Subdirs) {
      rex::DirectoryNode *N = D.add_directories();
      N->set_name(Sub);
      *N->mutable_digest() = emit(Prefix + Sub, Set, Keys);
    }
    return add(D, Set, Keys);
  }

  static rex::Digest add(const google::protobuf::Message &M, ActionSet &Set,
                         std::vector<std::string> &Keys) {
    std::string Bytes;
    {
      google::protobuf::io::StringOutputStream S(&Bytes);
      google::protobuf::io::CodedOutputStream C(&S);
      C.SetSerializationDeterministic(true);
      M.SerializeToCodedStream(&C);
    }
    rex::Digest D = digestOf(Bytes);
    std::string Key = digestKey(D);
    Set.Blobs.emplace(Key, Blob{D, std::move(Bytes)});
    Keys.push_back(Key);
    return D;
  }
};

} // namespace

bool dtlto::buildActions(const JobFile &F, const ActionOptions &O,
                         ActionSet &Out, std::string &Err) {
  std::map<std::string, std::string> FileKeys; // Path -> blob key.
  auto ReadFile = [&](const std::string &Path, std::string &Key,
                      std::string &Why) {
    auto It = FileKeys.find(Path);
    if (It != FileKeys.end()) {
      Key = It->second;
      return true;
    }
    std::string Data;
    if (!readFile(Path, Data)) {
      Why = "cannot read input '" + Path + "': " + std::strerror(errno);
      return false;
    }
    rex::Digest D = digestOf(Data);
    Key = digestKey(D);
    Out.Blobs.emplace(Key, Blob{D, std::move(Data)});
    FileKeys[Path] = Key;
    return true;
  };

  rex::Platform Platform;
  std::vector<std::pair<std::string, std::string>> Props = O.Platform;
  std::sort(Props.begin(), Props.end());
  for (const auto &[Name, Value] : Props) {
    auto *P = Platform.add_properties();
    P->set_name(Name);
    P->set_value(Value);
  }

  // Files every job reads and the common arguments name, such as our
  // worker's configuration (named after the linker's process ID), count by
  // their contents: in the action they get fixed names.
  std::vector<std::string> CommonArgs = F.CommonArgs;
  std::map<std::string, std::string> CommonRenamed;
  for (size_t N = 0; N < F.CommonInputs.size(); ++N) {
    const std::string &P = F.CommonInputs[N];
    std::string To = ".dtlto/in" + std::to_string(N) + extensionOf(P);
    if (renameInArgs(CommonArgs, P, To))
      CommonRenamed[P] = To;
  }

  for (size_t I = 0; I < F.Jobs.size(); ++I) {
    const Job &J = F.Jobs[I];
    std::string Who =
        "job " + std::to_string(I) + " (module '" + F.moduleOf(I) + "')";
    std::vector<std::string> Inputs = F.CommonInputs;
    Inputs.insert(Inputs.end(), J.Inputs.begin(), J.Inputs.end());
    // The shard and the outputs are named after the linker's process ID, so
    // their paths differ in every link. In the action they get fixed names
    // (what clang writes does not depend on them), so the action, and with
    // it the farm's cache key, is the same in the next link.
    std::vector<std::string> JobArgs = J.Args;
    // Job file path -> the action's.
    std::map<std::string, std::string> Renamed = CommonRenamed;
    auto Rename = [&](const std::string &Path, const std::string &To) {
      if (renameInArgs(JobArgs, Path, To))
        Renamed[Path] = To;
    };
    for (const std::string &A : J.Args)
      if (A.rfind("-fthinlto-index=", 0) == 0)
        Rename(A.substr(16), ".dtlto/index.thinlto.bc");
    for (size_t K = 0; K < J.Outputs.size(); ++K)
      Rename(J.Outputs[K],
             ".dtlto/out" + std::to_string(K) + extensionOf(J.Outputs[K]));
    auto InAction = [&](const std::string &P) {
      auto It = Renamed.find(P);
      return It == Renamed.end() ? P : It->second;
    };
    unsigned Depth = 0;
    std::vector<std::string> Normal;
    for (const std::string &Path : Inputs) {
      const std::string &P = InAction(Path);
      std::string N = normalizeRelative(P);
      if (N.empty()) {
        Err = Who + ": input '" + Path +
              "' is an absolute path, which means nothing on a build farm's "
              "worker (the index shards record module paths as the linker "
              "saw them). Link with relative inputs and a relative -o, in "
              "the build directory";
        return false;
      }
      Depth = std::max(Depth, climbs(N));
      Normal.push_back(N);
    }
    JobAction A;
    std::vector<std::string> OutPaths;
    for (const std::string &P : J.Outputs) {
      std::string N = normalizeRelative(InAction(P));
      if (N.empty()) {
        Err = Who + ": output '" + P + "' is an absolute path";
        return false;
      }
      Depth = std::max(Depth, climbs(N));
      A.Outputs.push_back({N, P});
      OutPaths.push_back(N);
    }
    std::string WorkDir;
    for (unsigned K = 0; K < Depth; ++K)
      WorkDir += (K ? "/d" : "d");

    Tree T;
    for (size_t K = 0; K < Inputs.size(); ++K) {
      std::string Key, Why;
      if (!ReadFile(Inputs[K], Key, Why)) {
        Err = Who + ": " + Why;
        return false;
      }
      std::string Where =
          normalizeRelative((WorkDir.empty() ? "" : WorkDir + "/") + Normal[K]);
      T.Files[Where] = {Out.Blobs[Key].Digest, false};
      A.BlobKeys.push_back(Key);
    }

    rex::Command C;
    std::vector<std::string> Args = CommonArgs;
    if (!O.RemoteCompiler.empty() && !Args.empty())
      Args[0] = O.RemoteCompiler;
    Args.insert(Args.end(), JobArgs.begin(), JobArgs.end());
    for (const std::string &Arg : Args)
      C.add_arguments(Arg);
    // A fixed environment: nothing of the linker's machine leaks into the
    // action (nor into its cache key).
    auto *Env = C.add_environment_variables();
    Env->set_name("PATH");
    Env->set_value("/usr/local/bin:/usr/bin:/bin");
    std::sort(OutPaths.begin(), OutPaths.end());
    for (const std::string &P : OutPaths) {
      C.add_output_paths(P);
      C.add_output_files(P);
    }
    C.set_working_directory(WorkDir);
    *C.mutable_platform() = Platform;

    rex::Action Act;
    *Act.mutable_command_digest() = Tree::add(C, Out, A.BlobKeys);
    *Act.mutable_input_root_digest() = T.emit("", Out, A.BlobKeys);
    *Act.mutable_platform() = Platform;
    if (O.Timeout > 0)
      Act.mutable_timeout()->set_seconds(static_cast<int64_t>(O.Timeout));
    A.Action = Tree::add(Act, Out, A.BlobKeys);
    Out.Jobs.push_back(std::move(A));
  }
  return true;
}
