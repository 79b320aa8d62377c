#include "core/export/export_verify.h"

#include <opencv2/dnn.hpp>
#include <torch/script.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/onnx_exec/onnx_executor.h"

namespace pseg {
namespace {

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.sizes() != b.sizes()) return std::numeric_limits<double>::infinity();
  return (a.to(torch::kCPU, torch::kDouble) - b.to(torch::kCPU, torch::kDouble)).abs().max().item<double>();
}

torch::Tensor run_opencv(cv::dnn::Net& net, const torch::Tensor& x) {
  const torch::Tensor in = x.to(torch::kCPU, torch::kFloat).contiguous();
  std::vector<int> sizes(in.sizes().begin(), in.sizes().end());
  const cv::Mat blob(static_cast<int>(sizes.size()), sizes.data(), CV_32F, in.data_ptr<float>());
  net.setInput(blob, "input");
  cv::Mat out = net.forward();
  cv::Mat as_float;
  out.convertTo(as_float, CV_32F);
  std::vector<int64_t> out_sizes(as_float.size.p, as_float.size.p + as_float.dims);
  return torch::from_blob(as_float.ptr<float>(), out_sizes, torch::kFloat).clone();
}

void finish(VerifyReport& r, ExportHead head, const torch::Tensor& reference, double diff, const std::string& name) {
  r.tolerance = std::max(r.tolerance, verify_tolerance(head, reference));
  r.cases.push_back({name, diff});
  r.ok = r.ok && diff <= verify_tolerance(head, reference);
}

}  // namespace

double VerifyReport::max_abs_diff() const {
  double m = 0;
  for (const auto& c : cases) m = std::max(m, c.max_abs_diff);
  return m;
}

std::vector<VerifyInput> verification_inputs(const ModelMeta& meta, bool batch2, const torch::Device& device,
                                             uint64_t seed) {
  auto gen = at::detail::createCPUGenerator(seed);
  auto make = [&](int64_t n) {
    torch::Tensor pixels = torch::rand({n, 3, meta.height, meta.width}, gen) * 255.0;
    torch::Tensor mean = torch::tensor(std::vector<float>(meta.mean.begin(), meta.mean.end())).view({1, 3, 1, 1});
    torch::Tensor scale = torch::tensor(std::vector<float>(meta.scale.begin(), meta.scale.end())).view({1, 3, 1, 1});
    torch::Tensor x = (pixels - mean) * scale;
    if (meta.channels == 4) x = torch::cat({x, torch::rand({n, 1, meta.height, meta.width}, gen)}, 1);
    return x.to(device);
  };
  std::vector<VerifyInput> inputs{{"random-0", make(1)}, {"random-1", make(1)}};
  if (batch2) inputs.push_back({"batch-2", make(2)});
  return inputs;
}

double verify_tolerance(ExportHead head, const torch::Tensor& reference) {
  if (head != ExportHead::Logits) return 1e-4;
  return 1e-4 * std::max(1.0, reference.abs().max().item<double>());
}

VerifyReport verify_torchscript(const std::string& path, const EagerFn& eager, const std::vector<VerifyInput>& inputs,
                                ExportHead head) {
  VerifyReport r{"torchscript", "torch::jit::load", {}, 0, true};
  torch::NoGradGuard no_grad;
  for (const auto& in : inputs) {
    torch::jit::Module m = torch::jit::load(path, in.x.device());
    m.eval();
    const torch::Tensor ref = eager(in.x);
    const torch::Tensor got = m.forward({in.x}).toTensor();
    finish(r, head, ref, max_abs_diff(got, ref), in.name);
  }
  return r;
}

VerifyReport verify_onnx_reduced(const std::string& path, const EagerFn& eager, const std::vector<VerifyInput>& inputs) {
  VerifyReport r{"onnx", "the LibTorch ONNX executor", {}, 0, true};
  r.report_only = true;
  const OnnxExecutor executor(read_onnx_model(path));
  torch::NoGradGuard no_grad;
  for (const auto& in : inputs) {
    const torch::Tensor ref = eager(in.x).to(torch::kCPU, torch::kDouble);
    const torch::Tensor got = executor.run(in.x.to(torch::kCPU)).to(torch::kDouble);
    const double diff = max_abs_diff(got, ref);
    r.cases.push_back({in.name, diff, std::isfinite(diff) ? (got - ref).abs().mean().item<double>() : diff});
    r.ok = r.ok && std::isfinite(diff);
  }
  return r;
}

VerifyReport verify_onnx_opencv(const std::string& path, const EagerFn& eager, const std::vector<VerifyInput>& inputs,
                                ExportHead head) {
  VerifyReport r{"onnx", "OpenCV DNN", {}, 0, true};
  cv::dnn::Net net;
  try {
    net = cv::dnn::readNetFromONNX(path);
  } catch (const cv::Exception& e) {
    throw std::runtime_error(path + ": OpenCV DNN cannot load the model: " + e.what());
  }
  torch::NoGradGuard no_grad;
  for (const auto& in : inputs) {
    const torch::Tensor ref = eager(in.x);
    torch::Tensor got;
    try {
      got = run_opencv(net, in.x);
    } catch (const cv::Exception& e) {
      throw std::runtime_error(path + ": OpenCV DNN cannot run the model: " + e.what());
    }
    finish(r, head, ref, max_abs_diff(got, ref), in.name);
  }
  return r;
}

}  // namespace pseg
