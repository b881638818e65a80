// libFuzzer target over the whole BEF reader: container, content verifier and
// the views. Any input must yield a clean "bef: " error or a BefFile that
// every view (the dump, locations, debug names) can walk without reading
// outside the input; ASan/UBSan turn anything else into a crash.
//
//   bazel build --config=fuzz //bef:bef_fuzz
//   bazel-out/k8-fastbuildfuzz/bin/bef/bef_fuzz -max_total_time=600
//       -dict=bef/testdata/bef.dict $PWD/bef/testdata/bef_corpus
//   (one command line)
//
// //bef:bef_corpus_test replays the corpus with the normal toolchain on every
// CI run.

#include <cstdint>
#include <cstdlib>

#include "bef/bef_file.h"
#include "bef/dump.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::StatusOr<std::unique_ptr<rill::bef::BefFile>> file =
      rill::bef::BefFile::FromCopy(absl::Span<const uint8_t>(data, size));
  if (!file.ok()) {
    if (file.status().message().substr(0, 5) != "bef: ") std::abort();
    return 0;
  }
  const rill::bef::BefFile& f = **file;
  volatile size_t sink = rill::bef::DumpBef(f).size();
  for (uint32_t i = 0; i < f.num_locations(); ++i) {
    sink = sink + f.LocationText(i).size();
    sink = sink + f.LocationDebugInfo(i).value_or("").size();
  }
  for (uint32_t i = 0; i < f.num_functions(); ++i) {
    const rill::bef::FunctionInfo& fn = f.function(i);
    if (!fn.name.empty() && f.FindFunction(fn.name) != i) std::abort();
  }
  (void)sink;
  return 0;
}
