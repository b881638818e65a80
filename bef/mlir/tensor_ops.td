// Ops with custom syntax of the tensor dialects (host_dialect.md §13): `tfrt_dht`,
// `tfrt_dht_sync`, `coo` and `ts`. Ops the spec writes only in generic form are not registered.

#ifndef RILL_BEF_MLIR_TENSOR_OPS_TD_
#define RILL_BEF_MLIR_TENSOR_OPS_TD_

include "tensor_base.td"

defvar TensorType = TfrtTensor_TensorType;
defvar Chain = Tfrt_ChainType;

class Dht_Op<string mnemonic, list<Trait> traits = []> : Op<TfrtDht_Dialect, mnemonic, traits>;
class DhtSync_Op<string mnemonic, list<Trait> traits = []>
    : Op<TfrtDhtSync_Dialect, mnemonic, traits>;
class Coo_Op<string mnemonic, list<Trait> traits = []> : Op<Coo_Dialect, mnemonic, traits>;
class Ts_Op<string mnemonic, list<Trait> traits = []> : Op<Ts_Dialect, mnemonic, traits>;

// `%t = tfrt_dht.create_uninitialized_tensor.i32.2 [3 : i64, 2 : i64]`; the rank suffix is the
// shape's length.
class CreateUninitializedTensor<Dialect dialect, string dtype, int rank>
    : Op<dialect, "create_uninitialized_tensor." # dtype # "." # rank> {
  let summary = "a new dense host tensor of rank " # rank # " with unspecified contents";
  let arguments = (ins ConfinedAttr<I64ArrayAttr, [ArrayCount<rank>]>:$shape,
                   OptionalInChain:$in_chain);
  let results = (outs TensorType:$result);
  let assemblyFormat = "$shape (`,` $in_chain^)? attr-dict";
}

foreach dtype = AllDTypes in {
  foreach rank = [0, 1, 2, 3, 4, 5] in {
    def "DhtCreateUninitialized" # dtype # "Rank" # rank # "Op"
        : CreateUninitializedTensor<TfrtDht_Dialect, dtype, rank>;
    def "DhtSyncCreateUninitialized" # dtype # "Rank" # rank # "Op"
        : CreateUninitializedTensor<TfrtDhtSync_Dialect, dtype, rank>;
  }

  // `%c1 = tfrt_dht.fill_tensor_with_constant.i32 %t, %c0 4 : i32`.
  def "DhtFill" # dtype # "Op" : Dht_Op<"fill_tensor_with_constant." # dtype> {
    let summary = "sets every element to `value`";
    let arguments = (ins TensorType:$tensor, Chain:$in_chain, AnyAttr:$value);
    let results = (outs Chain:$out_chain);
    let assemblyFormat = "$tensor `,` $in_chain $value attr-dict";
  }
  // `%c1 = tfrt_dht.set_tensor_with_constant_values.i32 %t, %c0 [1 : i32, -1 : i32]`.
  def "DhtSetValues" # dtype # "Op" : Dht_Op<"set_tensor_with_constant_values." # dtype> {
    let summary = "copies `values` into the tensor in row-major order";
    let arguments = (ins TensorType:$tensor, Chain:$in_chain, ArrayAttr:$values);
    let results = (outs Chain:$out_chain);
    let assemblyFormat = "$tensor `,` $in_chain $values attr-dict";
  }
  // `tfrt_dht_sync.set_tensor_with_constant_values.i32 %t [1 : i32, -1 : i32]`.
  def "DhtSyncSetValues" # dtype # "Op" : DhtSync_Op<"set_tensor_with_constant_values." # dtype> {
    let summary = "copies `values` into the tensor in row-major order";
    let arguments = (ins TensorType:$tensor, ArrayAttr:$values);
    let assemblyFormat = "$tensor $values attr-dict";
  }
  // `%eq, %c1 = tfrt_dht.tensor_equal.i32 %a, %b, %c0`.
  def "DhtTensorEqual" # dtype # "Op" : Dht_Op<"tensor_equal." # dtype, [ResultGroup]> {
    let summary = "whether both tensors have the same dtype, shape and elements";
    let arguments = (ins TensorType:$lhs, TensorType:$rhs, Chain:$in_chain);
    let results = (outs I1:$equal, Chain:$out_chain);
    let assemblyFormat = "$lhs `,` $rhs `,` $in_chain attr-dict";
  }
  // `%t, %c1 = tfrt_dht.make_tensor.f32 %buf, %shape, %c0`.
  def "DhtMakeTensor" # dtype # "Op" : Dht_Op<"make_tensor." # dtype, [ResultGroup]> {
    let summary = "a dense host tensor viewing the buffer";
    let arguments = (ins Ht_HostBufferType:$buffer, Ts_ShapeType:$shape, Chain:$in_chain);
    let results = (outs TensorType:$tensor, Chain:$out_chain);
    let assemblyFormat = "$buffer `,` $shape `,` $in_chain attr-dict";
  }
}

// `%c1 = tfrt_dht.print_tensor %t, %c0`.
def DhtPrintTensorOp : Dht_Op<"print_tensor"> {
  let summary = "prints the tensor and a newline";
  let arguments = (ins TensorType:$tensor, Chain:$in_chain);
  let results = (outs Chain:$out_chain);
  let assemblyFormat = "$tensor `,` $in_chain attr-dict";
}
// `tfrt_dht_sync.print_tensor %t`.
def DhtSyncPrintTensorOp : DhtSync_Op<"print_tensor"> {
  let summary = "prints the tensor and a newline";
  let arguments = (ins TensorType:$tensor);
  let assemblyFormat = "$tensor attr-dict";
}
// `%buf = tfrt_dht.allocate_buffer %size, %align`.
def DhtAllocateBufferOp : Dht_Op<"allocate_buffer"> {
  let summary = "an uninitialized buffer from the host allocator";
  let arguments = (ins I64:$size, I64:$alignment, OptionalInChain:$in_chain);
  let results = (outs Ht_HostBufferType:$buffer);
  let assemblyFormat = "$size `,` $alignment (`,` $in_chain^)? attr-dict";
}
// `%buf, %c1 = tfrt_dht.get_buffer %t, %c0`.
def DhtGetBufferOp : Dht_Op<"get_buffer", [ResultGroup]> {
  let summary = "the tensor's buffer (shared)";
  let arguments = (ins TensorType:$tensor, Chain:$in_chain);
  let results = (outs Ht_HostBufferType:$buffer, Chain:$out_chain);
  let assemblyFormat = "$tensor `,` $in_chain attr-dict";
}
// `%s = tfrt_dht.get_buffer_slice %buf, %offset, %size`.
def DhtGetBufferSliceOp : Dht_Op<"get_buffer_slice"> {
  let summary = "a view of bytes [offset, offset + size) of the buffer";
  let arguments = (ins Ht_HostBufferType:$buffer, I64:$offset, I64:$size,
                   OptionalInChain:$in_chain);
  let results = (outs Ht_HostBufferType:$slice);
  let assemblyFormat = "$buffer `,` $offset `,` $size (`,` $in_chain^)? attr-dict";
}
// `%c1 = tfrt_dht.print_buffer %buf, %c0`.
def DhtPrintBufferOp : Dht_Op<"print_buffer"> {
  let summary = "prints the buffer's address and size";
  let arguments = (ins Ht_HostBufferType:$buffer, Chain:$in_chain);
  let results = (outs Chain:$out_chain);
  let assemblyFormat = "$buffer `,` $in_chain attr-dict";
}
// `%s = tfrt_dht.get_tensor_shape %t`.
def DhtGetTensorShapeOp : Dht_Op<"get_tensor_shape"> {
  let summary = "the tensor's shape";
  let arguments = (ins TensorType:$tensor, OptionalInChain:$in_chain);
  let results = (outs Ts_ShapeType:$shape);
  let assemblyFormat = "$tensor (`,` $in_chain^)? attr-dict";
}

// §13.4 `%s, %c1 = coo.convert_dht_to_coo.i32.2 %t, %c0` and friends.
foreach dtype = ["i32", "f32"] in {
  foreach rank = [0, 1, 2, 3] in {
    def "CooFromDht" # dtype # "Rank" # rank # "Op"
        : Coo_Op<"convert_dht_to_coo." # dtype # "." # rank, [ResultGroup]> {
      let summary = "the COO tensor of a dense host tensor's non-zero elements";
      let arguments = (ins TensorType:$input, Chain:$in_chain);
      let results = (outs TensorType:$output, Chain:$out_chain);
      let assemblyFormat = "$input `,` $in_chain attr-dict";
    }
    def "CooToDht" # dtype # "Rank" # rank # "Op" : Coo_Op<"convert_coo_to_dht." # dtype # "." # rank, [ResultGroup]> {
      let summary = "the dense host tensor of a COO tensor";
      let arguments = (ins TensorType:$input, Chain:$in_chain);
      let results = (outs TensorType:$output, Chain:$out_chain);
      let assemblyFormat = "$input `,` $in_chain attr-dict";
    }
    def "CooTensorEqual" # dtype # "Rank" # rank # "Op"
        : Coo_Op<"tensor_equal." # dtype # "." # rank, [ResultGroup]> {
      let summary = "whether two COO tensors are equal";
      let arguments = (ins TensorType:$lhs, TensorType:$rhs, Chain:$in_chain);
      let results = (outs I1:$equal, Chain:$out_chain);
      let assemblyFormat = "$lhs `,` $rhs `,` $in_chain attr-dict";
    }
  }
}

// §13.5 shapes.
def TsBuildShapeOp : Ts_Op<"build_shape", [Pure]> {
  let summary = "a shape from an i64 array";
  let arguments = (ins I64ArrayAttr:$value, OptionalInChain:$in_chain);
  let results = (outs Ts_ShapeType:$shape);
  let assemblyFormat = "$value (`,` $in_chain^)? attr-dict";
}
def TsBuildPartialShapeOp : Ts_Op<"build_partial_shape", [Pure]> {
  let summary = "a partial shape from an i64 array (-1 = unknown dimension)";
  let arguments = (ins I64ArrayAttr:$value, OptionalInChain:$in_chain);
  let results = (outs Ts_PartialShapeType:$shape);
  let assemblyFormat = "$value (`,` $in_chain^)? attr-dict";
}
def TsBuildUnrankedPartialShapeOp : Ts_Op<"build_unranked_partial_shape", [Pure]> {
  let summary = "an unranked partial shape";
  let arguments = (ins OptionalInChain:$in_chain);
  let results = (outs Ts_PartialShapeType:$shape);
  let assemblyFormat = "(`(` $in_chain^ `)`)? attr-dict";
}
class TsPrintOp<string mnemonic, Type type> : Ts_Op<mnemonic> {
  let arguments = (ins type:$shape, Chain:$in_chain);
  let results = (outs Chain:$out_chain);
  let assemblyFormat = "$shape `,` $in_chain attr-dict";
}
def TsPrintShapeOp : TsPrintOp<"print_shape", Ts_ShapeType>;
def TsPrintPartialShapeOp : TsPrintOp<"print_partial_shape", Ts_PartialShapeType>;
class TsUnaryOp<string mnemonic, Type operand, Type result> : Ts_Op<mnemonic, [Pure]> {
  let arguments = (ins operand:$input, OptionalInChain:$in_chain);
  let results = (outs result:$output);
  let assemblyFormat = "$input (`,` $in_chain^)? attr-dict";
}
def TsGetNumElementsOp : TsUnaryOp<"get_num_elements", Ts_ShapeType, I64>;
def TsToShapeOp : TsUnaryOp<"to_shape", Ts_PartialShapeType, Ts_ShapeType>;
def TsToPartialShapeOp : TsUnaryOp<"to_partial_shape", Ts_ShapeType, Ts_PartialShapeType>;
def TsEqualShapeOp : Ts_Op<"equal_shape", [Pure]> {
  let summary = "whether two shapes have the same rank and dimensions";
  let arguments = (ins Ts_ShapeType:$lhs, Ts_ShapeType:$rhs, OptionalInChain:$in_chain);
  let results = (outs I1:$equal);
  let assemblyFormat = "$lhs `,` $rhs (`,` $in_chain^)? attr-dict";
}
foreach rank = [1, 2, 3] in {
  def "TsAsFixedRankShape" # rank # "Op"
      : TsUnaryOp<"as_fixed_rank_shape." # rank, Ts_ShapeType, Ts_FixedRankShapeOf<rank>>;
  def "TsPrintFixedRankShape" # rank # "Op"
      : TsPrintOp<"print_fixed_rank_shape." # rank, Ts_FixedRankShapeOf<rank>>;
}

#endif  // RILL_BEF_MLIR_TENSOR_OPS_TD_
