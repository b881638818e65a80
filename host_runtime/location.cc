#include "host_runtime/location.h"

#include "absl/strings/str_cat.h"

namespace rill {

std::string ErrorLocation::SourcePosition() const {
  if (!opaque.empty()) return absl::StrCat("loc(\"", opaque, "\")");
  if (file.empty() && line == 0) return "";
  std::string out = file.empty() ? "<unknown>" : file;
  if (line != 0) {
    absl::StrAppend(&out, ":", line);
    if (column != 0) absl::StrAppend(&out, ":", column);
  }
  return out;
}

std::string ErrorLocation::ToString() const {
  std::string out = SourcePosition();
  if (!kernel.empty()) {
    absl::StrAppend(&out, out.empty() ? "" : ": ", "in kernel '", kernel, "'");
    if (!function.empty())
      absl::StrAppend(&out, " (function '", function, "')");
  } else if (!function.empty()) {
    absl::StrAppend(&out, out.empty() ? "" : ": ", "in function '", function,
                    "'");
  }
  return out;
}

}  // namespace rill
