// Declares `ErrorLocation`: where an error came from (the kernel, its function
// and the source position recorded in BEF). Error async values carry one
// optionally next to their `absl::Status`.
//
// Thread-safety: a plain value type; immutable once attached to an error value.

#ifndef RILL_HOST_RUNTIME_LOCATION_H_
#define RILL_HOST_RUNTIME_LOCATION_H_

#include <cstdint>
#include <string>

namespace rill {

struct ErrorLocation {
  std::string
      file;  // Source file of the program, e.g. "model.mlir"; empty if unknown.
  uint32_t line = 0;     // 1-based; 0 if unknown.
  uint32_t column = 0;   // 1-based; 0 if unknown.
  std::string kernel;    // Kernel name, e.g. "tfrt.add.i32"; empty if unknown.
  std::string function;  // Enclosing function, e.g. "main"; empty if unknown.
  // For a location that is not a plain file:line:col (a name, call-site, fused
  // or unknown location, spec §2.6): its opaque text, e.g. "(unknown)" or
  // "foo(f.py;1;2)". Empty for file locations.
  std::string opaque;
  // The op's debug info (spec §2.6), if any: a name location's name, etc.
  std::string debug_info;
  bool has_debug_info = false;

  // "file:line:col" (or the parts that are known), the form compilers use;
  // `loc("<opaque>")` for an opaque location, as MLIR prints one.
  std::string SourcePosition() const;
  // "file:line:col: in kernel 'k' (function 'f')", omitting unknown parts.
  std::string ToString() const;
};

}  // namespace rill

#endif  // RILL_HOST_RUNTIME_LOCATION_H_
