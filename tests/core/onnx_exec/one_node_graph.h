#pragma once
// A one-node ONNX graph built in a test: the op on input "x" plus constant inputs, output "y".
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/onnx_exec/onnx_executor.h"
#include "core/onnx_exec/onnx_tensor.h"

namespace pseg::test {

// A one-node graph: `op` on the input plus constant inputs, float32 in and out unless `out_type` says otherwise.
struct OneNode {
  onnx::ModelProto model;
  onnx::NodeProto* node;
  explicit OneNode(const std::string& op, int64_t opset = 13) {
    model.set_ir_version(7);
    model.add_opset_import()->set_version(opset);
    auto* g = model.mutable_graph();
    g->add_input()->set_name("x");
    g->add_output()->set_name("y");
    node = g->add_node();
    node->set_op_type(op);
    node->set_name(op + "_0");
    node->add_input("x");
    node->add_output("y");
  }
  void constant(const std::string& name, const torch::Tensor& t) {
    auto* init = model.mutable_graph()->add_initializer();
    init->set_name(name);
    tensor_to_proto(t, *init);
    node->add_input(name);
  }
  void attr(const std::string& key, const std::string& s) {
    auto* a = node->add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(s);
  }
  void attr(const std::string& key, int64_t i) {
    auto* a = node->add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(i);
  }
  // The graph input's type: float32 with fixed dimensions (what the oneDNN engine needs).
  void input_shape(const std::vector<int64_t>& dims) {
    auto* type = model.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type();
    type->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) type->mutable_shape()->add_dim()->set_dim_value(d);
  }
  void attr(const std::string& key, const std::vector<int64_t>& ints) {
    auto* a = node->add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t i : ints) a->add_ints(i);
  }
  torch::Tensor run(const torch::Tensor& x) const { return OnnxExecutor(model).run(x); }
};

}  // namespace pseg::test
