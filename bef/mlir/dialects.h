// Declares RegisterRillDialects, which registers every dialect of
// host_dialect.md (tfrt, tfrt_test, tfrt_tensor, t, ht, ts, tfrt_dht,
// tfrt_dht_sync, coo, corert) and func into an MLIR registry. The tools call
// it once; dialects not registered here (vt, tfrt_tutorial, ...) are
// unregistered and accepted in generic form.
//
// Thread-safety: call before the registry is shared.

#ifndef RILL_BEF_MLIR_DIALECTS_H_
#define RILL_BEF_MLIR_DIALECTS_H_

#include "bef/mlir/corert_dialect.h"
#include "bef/mlir/tensor_dialects.h"
#include "bef/mlir/test_dialect.h"
#include "bef/mlir/tfrt_dialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"

namespace rill {

inline void RegisterRillDialects(mlir::DialectRegistry& registry) {
  registry.insert<mlir::func::FuncDialect, tfrt::TfrtDialect,
                  tfrt_test::TfrtTestDialect, tfrt_tensor::TfrtTensorDialect,
                  t::TDialect, ht::HtDialect, ts::TsDialect,
                  tfrt_dht::TfrtDhtDialect, tfrt_dht_sync::TfrtDhtSyncDialect,
                  coo::CooDialect, corert::CorertDialect>();
}

}  // namespace rill

#endif  // RILL_BEF_MLIR_DIALECTS_H_
