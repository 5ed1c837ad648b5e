//===- Judge.cpp - Whether a backend job succeeded ------------------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dtlto/Judge.h"
#include "dtlto/ObjectCheck.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace dtlto;

std::string dtlto::judgeJob(const JobEnd &End,
                            const std::vector<JobOutput> &Outputs,
                            const std::string &Triple, bool Assembly) {
  if (!End.Succeeded)
    return "the compiler " + End.How;
  if (End.Output.find("Error running ThinLTO backend") != std::string::npos)
    return "the compiler reported 'Error running ThinLTO backend' (and "
           "exited 0)";
  // The first output is the object (or assembly); a worker's others are
  // split-DWARF files (objects of the target too) and remarks (any text).
  for (size_t I = 0; I < Outputs.size(); ++I) {
    const JobOutput &O = Outputs[I];
    if (!O.Present)
      return "it did not write output '" + O.Name + "'";
    bool Dwo =
        O.Name.size() > 4 && O.Name.compare(O.Name.size() - 4, 4, ".dwo") == 0;
    if (I > 0 && !Dwo)
      continue;
    std::string Why;
    if (!checkJobOutput(O.Head, O.Size, Triple, Assembly && I == 0, Why))
      return "invalid output '" + O.Name + "': " + Why;
  }
  return "";
}

JobOutput dtlto::readJobOutput(const std::string &Path) {
  JobOutput O;
  O.Name = Path;
  int Fd = ::open(Path.c_str(), O_RDONLY | O_CLOEXEC);
  if (Fd < 0)
    return O;
  struct stat St;
  char Buf[64];
  ssize_t N = ::fstat(Fd, &St) == 0 ? ::pread(Fd, Buf, sizeof(Buf), 0) : -1;
  ::close(Fd);
  if (N < 0)
    return O;
  O.Present = true;
  O.Head.assign(Buf, N);
  O.Size = St.st_size;
  return O;
}
