// The mapping between MLIR types and BEF data types (host_dialect.md §4.5,
// docs/bef_format.md §10.1), by canonical MLIR spelling, shared by both
// translation directions. Stateless.
//
// Thread-safety: the functions touch only their arguments (and the context
// as MLIR's type parser does).

#ifndef RILL_BEF_MLIR_INTERNAL_DATA_TYPES_H_
#define RILL_BEF_MLIR_INTERNAL_DATA_TYPES_H_

#include <optional>
#include <string>

#include "bef/format.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Types.h"

namespace rill {
namespace mlir_bef {

// The canonical spelling (`i32`, `!tfrt.chain`, `complex<f32>`).
std::string TypeSpelling(mlir::Type type);

// The data type a type attribute or element type names, if any.
std::optional<bef::DType> DataTypeOf(mlir::Type type);

// The MLIR type of a valid data type.
mlir::Type MlirTypeOf(bef::DType dtype, mlir::MLIRContext* context);

}  // namespace mlir_bef
}  // namespace rill

#endif  // RILL_BEF_MLIR_INTERNAL_DATA_TYPES_H_
