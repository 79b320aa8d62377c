#pragma once
// Reading an ONNX node's attributes with a fallback for the absent ones, and the one error naming a node: shared by
// every runtime of ONNX graphs in this folder. Torch-free.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace pseg {

inline const onnx::AttributeProto* find_attr(const onnx::NodeProto& n, const std::string& key) {
  for (const auto& a : n.attribute())
    if (a.name() == key) return &a;
  return nullptr;
}
inline int64_t attr_int(const onnx::NodeProto& n, const std::string& key, int64_t fallback) {
  const auto* a = find_attr(n, key);
  return a ? a->i() : fallback;
}
inline float attr_float(const onnx::NodeProto& n, const std::string& key, float fallback) {
  const auto* a = find_attr(n, key);
  return a ? a->f() : fallback;
}
inline std::string attr_string(const onnx::NodeProto& n, const std::string& key, const std::string& fallback) {
  const auto* a = find_attr(n, key);
  return a ? a->s() : fallback;
}
inline std::vector<int64_t> attr_ints(const onnx::NodeProto& n, const std::string& key,
                                      std::vector<int64_t> fallback = {}) {
  const auto* a = find_attr(n, key);
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : fallback;
}

// Throws std::runtime_error naming the node: "ONNX Conv node conv1: <why>".
[[noreturn]] inline void fail_node(const onnx::NodeProto& n, const std::string& why) {
  throw std::runtime_error("ONNX " + n.op_type() + " node " + n.name() + ": " + why);
}

}  // namespace pseg
