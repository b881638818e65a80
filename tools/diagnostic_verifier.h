// Declares `DiagnosticVerifier`, rill-run's always-on, lazy equivalent of
// `mlir-opt -verify-diagnostics` for runtime diagnostics (host_dialect.md
// §8.6): the first diagnostic that points into a file loads that file's
// `expected-<kind> [@offset] {{text}}` annotations; matched diagnostics are
// swallowed, unmatched ones are printed as "unexpected", and annotations that
// matched nothing are reported at the end.
//
// Thread-safety: Report may be called from any thread (a mutex serializes
// it; diagnostics are rare). Finish must not race with Report.

#ifndef RILL_TOOLS_DIAGNOSTIC_VERIFIER_H_
#define RILL_TOOLS_DIAGNOSTIC_VERIFIER_H_

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "host_runtime/async_value.h"

namespace rill {

class DiagnosticVerifier {
 public:
  // `verify` false: print every diagnostic as "<loc>: error: <message>" and
  // never fail (rill-run --diagnostics=print, for programs without
  // annotations).
  explicit DiagnosticVerifier(bool verify = true) : verify_(verify) {}

  // A runtime diagnostic's message is prefixed "runtime error: "; load errors
  // (`runtime` false) are reported as they are.
  void Report(const AsyncValueError& error, bool runtime);
  // Prints the annotations that matched nothing; returns true iff every
  // diagnostic was expected and every annotation of an opened file matched.
  bool Finish();

 private:
  struct Annotation {
    std::string kind;  // "error", "warning", "note", "remark".
    std::string text;
    int line = 0;    // The line it refers to.
    int column = 0;  // Where the annotation itself starts.
    bool matched = false;
  };
  struct SourceFile {
    bool readable = false;
    std::vector<Annotation> annotations;
  };
  SourceFile& Load(const std::string& path);

  std::mutex mu_;
  std::map<std::string, SourceFile> files_;  // In the order they were opened.
  std::vector<std::string> opened_;
  const bool verify_;
  bool failed_ = false;
};

}  // namespace rill

#endif  // RILL_TOOLS_DIAGNOSTIC_VERIFIER_H_
