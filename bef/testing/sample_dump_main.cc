// Writes the sample programs to files: sample_dump <dir>. Used to refresh the
// fuzz seed corpus and by the rill-bef-dump FileCheck test.
#include <cstdio>
#include <fstream>
#include <string>

#include "bef/testing/samples.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: sample_dump <output dir>\n");
    return 2;
  }
  const std::string dir = argv[1];
  struct Sample {
    const char* name;
    absl::StatusOr<std::vector<uint8_t>> bytes;
  } samples[] = {
      {"tiny.bef", rill::bef::testing::TinyProgram()},
      {"every_construct.bef", rill::bef::testing::EveryConstructProgram()},
      {"worked_example.bef", rill::bef::testing::WorkedExampleProgram()},
      {"dag_50.bef", rill::bef::testing::LargeDagProgram(50, 1)},
  };
  for (auto& s : samples) {
    if (!s.bytes.ok()) {
      std::fprintf(stderr, "%s: %s\n", s.name,
                   std::string(s.bytes.status().message()).c_str());
      return 1;
    }
    std::ofstream out(dir + "/" + s.name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(s.bytes->data()), s.bytes->size());
    if (!out) {
      std::fprintf(stderr, "cannot write %s/%s\n", dir.c_str(), s.name);
      return 1;
    }
  }
  return 0;
}
