// Replays fuzz corpus files (arguments: files or directories) through
// LLVMFuzzerTestOneInput, so every input the fuzzer ever found interesting is
// re-checked by ordinary tests (and under
// --config=asan) without libFuzzer.

#include <dirent.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

int Replay(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    std::fprintf(stderr, "corpus_replay: cannot open '%s'\n", path.c_str());
    return -1;
  }
  if (S_ISDIR(st.st_mode)) {
    DIR* dir = opendir(path.c_str());
    if (dir == nullptr) return -1;
    int count = 0;
    while (dirent* entry = readdir(dir)) {
      const std::string name = entry->d_name;
      if (name == "." || name == "..") continue;
      const int n = Replay(path + "/" + name);
      if (n < 0) {
        closedir(dir);
        return -1;
      }
      count += n;
    }
    closedir(dir);
    return count;
  }
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int total = 0;
  for (int i = 1; i < argc; ++i) {
    const int n = Replay(argv[i]);
    if (n < 0) return 1;
    total += n;
  }
  if (total == 0) {
    std::fprintf(stderr, "corpus_replay: no inputs found\n");
    return 1;
  }
  std::printf("corpus_replay: %d input(s) ok\n", total);
  return 0;
}
