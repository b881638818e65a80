#include "tools/diagnostic_verifier.h"

#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "host_runtime/logging.h"

namespace rill {
namespace {

// `expected-<kind>`, an optional `@<offset>` (with or without a space before
// it), then `{{text}}`.
const std::regex& AnnotationPattern() {
  static const std::regex* pattern = new std::regex(
      R"(expected-(error|warning|note|remark)\s*(@(\+\d+|-\d+|above|below|\d+))?\s*\{\{(.*?)\}\})");
  return *pattern;
}

// " (in kernel 'k' of function 'f')" when known.
std::string Provenance(const ErrorLocation* location) {
  if (location == nullptr || location->kernel.empty()) return "";
  std::string out = absl::StrCat(" (in kernel '", location->kernel, "'");
  if (!location->function.empty())
    absl::StrAppend(&out, " of function '", location->function, "'");
  return out + ")";
}

}  // namespace

DiagnosticVerifier::SourceFile& DiagnosticVerifier::Load(
    const std::string& path) {
  auto [it, inserted] = files_.try_emplace(path);
  SourceFile& file = it->second;
  if (!inserted) return file;
  std::ifstream in(path);
  if (!in) return file;
  file.readable = true;
  opened_.push_back(path);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const size_t comment = line.find("//");
    if (comment == std::string::npos) continue;
    const std::string tail = line.substr(comment);
    for (std::sregex_iterator m(tail.begin(), tail.end(), AnnotationPattern()),
         end;
         m != end; ++m) {
      Annotation a;
      a.kind = (*m)[1];
      a.text = (*m)[4];
      a.column = static_cast<int>(comment + m->position(0)) + 1;
      a.line = number;
      const std::string offset = (*m)[3];
      int n = 0;
      if (offset == "above") {
        a.line = number - 1;
      } else if (offset == "below") {
        a.line = number + 1;
      } else if (!offset.empty() && (offset[0] == '+' || offset[0] == '-')) {
        if (absl::SimpleAtoi(offset.substr(1), &n))
          a.line = offset[0] == '+' ? number + n : number - n;
      } else if (!offset.empty() && absl::SimpleAtoi(offset, &n)) {
        a.line = n;
      }
      file.annotations.push_back(std::move(a));
    }
  }
  return file;
}

void DiagnosticVerifier::Report(const AsyncValueError& error, bool runtime) {
  const std::string message =
      runtime ? absl::StrCat("runtime error: ", error.status.message())
              : std::string(error.status.message());
  std::lock_guard<std::mutex> lock(mu_);
  const ErrorLocation* location = error.location ? &*error.location : nullptr;
  if (verify_ && location != nullptr && location->opaque.empty() &&
      !location->file.empty() && location->line != 0) {
    SourceFile& file = Load(location->file);
    bool matched = false;
    for (Annotation& a : file.annotations) {
      if (a.kind == "error" && a.line == static_cast<int>(location->line) &&
          message.find(a.text) != std::string::npos) {
        a.matched = true;
        matched = true;
      }
    }
    if (matched) return;
  }
  failed_ |= verify_;
  std::string where =
      location != nullptr ? location->SourcePosition() : std::string();
  if (location != nullptr && location->opaque.empty() && location->line != 0 &&
      location->column == 0) {
    absl::StrAppend(&where, ":0");
  }
  PrintAtomicallyToStderr(
      absl::StrCat(where.empty() ? "" : where + ": ",
                   verify_ ? "error: unexpected error: " : "error: ", message,
                   verify_ ? "" : Provenance(location), "\n"));
}

bool DiagnosticVerifier::Finish() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& path : opened_) {
    for (const Annotation& a : files_[path].annotations) {
      if (a.matched) continue;
      failed_ = true;
      PrintAtomicallyToStderr(absl::StrCat(path, ":", a.line, ":", a.column,
                                           ": error: expected ", a.kind, " \"",
                                           a.text, "\" was not produced\n"));
    }
  }
  return !failed_;
}

}  // namespace rill
