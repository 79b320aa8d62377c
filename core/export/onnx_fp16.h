#pragma once
// fp16 export: an fp32 ONNX graph rewritten to compute in float16, with float32 input and output kept by Cast
// nodes at the edges so that callers need not change. Nodes whose values leave float16's safe range on the sample
// images stay float32 behind Cast nodes (mixed precision): Prisma-Net's decoder reaches 2e4 and overflows
// float16 (65504) on ordinary photos.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <unordered_map>

namespace pseg {

struct Fp16Stats {
  int64_t initializers = 0;  // converted to float16
  int64_t casts = 0;         // Cast nodes added or retargeted
  int64_t float32_nodes = 0; // nodes kept in float32 for range
  int64_t nodes = 0;
};

// Values beyond this magnitude keep their producer and consumers in float32 (a quarter of float16's maximum:
// headroom for images the sample did not contain).
inline constexpr double kFp16SafeMax = 65504.0 / 4;

// Converts float32 initializers to float16 except Resize scales/roi (ONNX wants them float32; float32 nodes read
// theirs through a Cast), retargets Cast-to-float nodes to float16 and adds Cast nodes at the edges and between
// float16 and float32 nodes. `max_abs` holds each float tensor's largest magnitude over the sample images (from
// the fp32 graph); tensors not in it are assumed safe. Throws std::runtime_error naming an initializer whose
// values do not fit float16.
Fp16Stats convert_to_fp16(onnx::ModelProto& model, const std::unordered_map<std::string, double>& max_abs);

}  // namespace pseg
