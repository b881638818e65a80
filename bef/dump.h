// Declares the human-readable rendering of a verified BEF file used by
// rill-bef-dump: header, section table, tables, attributes in MLIR-like
// syntax, locations, and every function with its kernels, operands, results,
// used-by lists, ready counts and stream ids. The format is stable enough to
// FileCheck (docs/bef_format.md §17).
//
// Thread-safety: pure functions of an immutable BefFile.

#ifndef RILL_BEF_DUMP_H_
#define RILL_BEF_DUMP_H_

#include <cstdint>
#include <string>

#include "bef/bef_file.h"

namespace rill {
namespace bef {

std::string DumpBef(const BefFile& file);
// One attribute, MLIR-like: `42 : i32`, `"text"`, `[1 : i8, 2 : i8]`,
// `dense<[1, 2]> : tensor<2xi32>`, `#corert.shape<2x?x3>`, ...
std::string FormatAttribute(const BefFile& file, AttributeView attribute);
// One location, MLIR-like: `"f.mlir":3:7`, `"name"(...)`, `unknown`, ...
std::string FormatLocation(const BefFile& file, uint32_t location);

}  // namespace bef
}  // namespace rill

#endif  // RILL_BEF_DUMP_H_
