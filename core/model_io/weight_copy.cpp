#include "core/model_io/weight_copy.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace pseg {

std::string shape_string(at::IntArrayRef sizes) {
  std::ostringstream s;
  s << "[";
  for (size_t i = 0; i < sizes.size(); ++i) s << (i ? ", " : "") << sizes[i];
  s << "]";
  return s.str();
}

void copy_weight(torch::Tensor& dst, const torch::Tensor& src, const std::string& what, const std::string& where,
                 ImportStats& stats) {
  if (dst.sizes() != src.sizes())
    throw std::invalid_argument(what + ": shape " + shape_string(src.sizes()) + " in the file, " +
                                shape_string(dst.sizes()) + " in the net (" + where + ")");
  torch::NoGradGuard no_grad;
  dst.copy_(src);
  ++stats.tensors;
  stats.values += src.numel();
}

namespace {

void copy_named(const torch::OrderedDict<std::string, torch::Tensor>& dst,
                const torch::OrderedDict<std::string, torch::Tensor>& src, const char* kind, const std::string& what) {
  for (const auto& d : dst) {
    const torch::Tensor* s = src.find(d.key());
    if (!s) throw std::invalid_argument(what + ": " + kind + " " + d.key() + " missing");
    if (s->sizes() != d.value().sizes())
      throw std::invalid_argument(what + ": " + kind + " " + d.key() + " of shape " + shape_string(s->sizes()) +
                                  ", the net has " + shape_string(d.value().sizes()));
    torch::Tensor t = d.value();
    t.copy_(*s);
  }
}

}  // namespace

void copy_net_state(torch::nn::Module& dst, const torch::nn::Module& src, const std::string& what) {
  torch::NoGradGuard no_grad;
  copy_named(dst.named_parameters(), src.named_parameters(), "parameter", what);
  copy_named(dst.named_buffers(), src.named_buffers(), "buffer", what);
}

float identity_bn_variance(double eps) {
  // LibTorch evaluates 1 / sqrt(var + eps) in float; pick the float var for which var + eps is exactly 1.
  const float e = static_cast<float>(eps);
  float v = 1.0f - e;
  for (int i = 0; i < 8 && v + e != 1.0f; ++i) v = std::nextafter(v, v + e < 1.0f ? 2.0f : 0.0f);
  if (v + e != 1.0f) throw std::logic_error("identity_bn_variance: no float variance for eps " + std::to_string(eps));
  return v;
}

}  // namespace pseg
