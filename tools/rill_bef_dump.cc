// rill-bef-dump: verifies a BEF file and prints it for humans — header,
// section table with sizes, types, kernel names, attributes, locations, and
// every function with its kernels, operands, results, used-by lists, ready
// counts and stream ids. Exit status 0 when the file verifies, 1 when it does
// not (the reason goes to stderr), 2 on a usage error.

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bef/bef_file.h"
#include "bef/dump.h"

namespace {

constexpr char kUsage[] =
    "usage: rill-bef-dump [--help] [--version] <file.bef | ->\n"
    "Verifies a BEF file (docs/bef_format.md) and prints its contents.\n"
    "'-' reads the file from standard input.\n";

int Fail(const std::string& message) {
  std::fprintf(stderr, "rill-bef-dump: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "--version" || arg == "-version") {
      std::printf("rill-bef-dump (Rill 0.1), BEF format %d.%d\n",
                  rill::bef::kMajorVersion, rill::bef::kMinorVersion);
      return 0;
    }
    if (arg.size() > 1 && arg[0] == '-') {
      std::fprintf(stderr, "rill-bef-dump: unknown option '%s'\n%s",
                   arg.c_str(), kUsage);
      return 2;
    }
    if (!path.empty()) {
      std::fprintf(stderr, "rill-bef-dump: more than one input file\n%s",
                   kUsage);
      return 2;
    }
    path = arg;
  }
  if (path.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  absl::StatusOr<std::unique_ptr<rill::bef::BefFile>> file;
  if (path == "-") {
    std::vector<uint8_t> bytes;
    uint8_t buffer[1 << 16];
    ssize_t n;
    while ((n = ::read(STDIN_FILENO, buffer, sizeof(buffer))) > 0)
      bytes.insert(bytes.end(), buffer, buffer + n);
    if (n < 0)
      return Fail(std::string("reading stdin: ") + std::strerror(errno));
    file = rill::bef::BefFile::FromCopy(bytes);
    if (!file.ok())
      return Fail("<stdin>: " + std::string(file.status().message()));
  } else {
    file = rill::bef::BefFile::Open(path);
    if (!file.ok()) return Fail(std::string(file.status().message()));
  }
  const std::string text = rill::bef::DumpBef(**file);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}
