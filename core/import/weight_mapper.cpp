#include "core/import/weight_mapper.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

#include "nets/sync_batch_norm.h"

namespace pseg {
namespace {

// A weighted module of the net, in registration order.
struct Target {
  std::string path;
  torch::nn::Module* module = nullptr;
  std::string op;  // the ONNX op it maps from
};

std::vector<Target> weighted_modules(SegNetImpl& net) {
  std::vector<Target> out;
  for (const auto& item : net.named_modules("", /*include_self=*/false)) {
    torch::nn::Module* m = item.value().get();
    std::string op;
    if (m->as<torch::nn::Conv2d>()) op = "Conv";
    else if (m->as<torch::nn::ConvTranspose2d>()) op = "ConvTranspose";
    else if (m->as<SyncBatchNorm2d>()) op = "BatchNormalization";
    else if (m->as<torch::nn::PReLU>()) op = "PRelu";
    else continue;
    out.push_back({item.key(), m, op});
  }
  return out;
}

template <typename Options>
void check_geometry(const std::string& path, const SourceOp& s, const Options& o, const std::string& where) {
  const std::vector<int64_t> stride(o.stride()->begin(), o.stride()->end());
  const std::vector<int64_t> dilation(o.dilation()->begin(), o.dilation()->end());
  const auto check = [&](const std::string& what, const std::vector<int64_t>& file, const std::vector<int64_t>& ours) {
    if (file != ours)
      throw std::invalid_argument(path + ": " + s.label + ": " + what + " " + shape_string(file) + " in the file, " +
                                  shape_string(ours) + " in the net (" + where + ")");
  };
  check("strides", s.strides, stride);
  check("dilations", s.dilations, dilation);
  check("group", {s.groups}, {o.groups()});
}

class Mapper {
 public:
  Mapper(std::string path, std::vector<SourceOp> ops) : path_(std::move(path)), ops_(std::move(ops)) {}

  void map(const std::vector<Target>& targets) {
    for (const Target& t : targets) {
      if (t.op == "BatchNormalization") {
        batch_norm(t);
        continue;
      }
      if (folded_bias_.defined())
        throw std::invalid_argument(path_ + ": " + folded_label_ + " has a bias but the net's convolution has none " +
                                    "and no BatchNorm follows it (" + t.path + ")");
      SourceOp& s = next(t);
      if (t.op == "PRelu") {
        auto& m = *t.module->as<torch::nn::PReLU>();
        const torch::Tensor slope = s.inputs.at(0);
        if (slope.numel() != m.weight.numel())
          throw std::invalid_argument(path_ + ": " + s.label + ": slope " + shape_string(slope.sizes()) + " in the file, " +
                                      std::to_string(m.weight.numel()) + " channels in the net (" + t.path + ")");
        copy_weight(m.weight, slope.reshape(m.weight.sizes()), s.label + " slope", t.path, stats_);
      } else if (t.op == "Conv") {
        auto& m = *t.module->as<torch::nn::Conv2d>();
        undilate(s, m.options);
        check_geometry(path_, s, m.options, t.path);
        conv(s, t, m.weight, m.bias);
      } else {
        auto& m = *t.module->as<torch::nn::ConvTranspose2d>();
        check_geometry(path_, s, m.options, t.path);
        conv(s, t, m.weight, m.bias);
      }
    }
    if (folded_bias_.defined())
      throw std::invalid_argument(path_ + ": " + folded_label_ + " has a bias but the net's last convolution has none");
    if (pos_ < ops_.size())
      throw std::invalid_argument(path_ + ": " + ops_[pos_].label + " has no counterpart in the net: the file has " +
                                  std::to_string(ops_.size()) + " weighted ops, the net maps " +
                                  std::to_string(pos_));
  }

  const ImportStats& stats() const { return stats_; }

 private:
  SourceOp& next(const Target& t) {
    if (pos_ >= ops_.size())
      throw std::invalid_argument(path_ + ": the file has only " + std::to_string(ops_.size()) +
                                  " weighted ops; net module " + t.path + " (" + t.op + ") has no counterpart");
    SourceOp& s = ops_[pos_++];
    if (s.kind != t.op)
      throw std::invalid_argument(path_ + ": " + s.label + " maps onto net module " + t.path + ", which is a " + t.op);
    if (s.inputs.empty()) throw std::invalid_argument(path_ + ": " + s.label + " has no weight initializer");
    ++stats_.layers;
    return s;
  }

  // Converters store an atrous kernel dense: k' = (k - 1) * d + 1 with zeros off the dilation grid and dilation 1.
  // Where the net's conv has kernel k and dilation d, the grid is taken (w[:, :, ::d, ::d]) if everything off it is 0.
  void undilate(SourceOp& s, const torch::nn::detail::ConvNdOptions<2>& o) {
    const int64_t d = (*o.dilation())[0], k = (*o.kernel_size())[0];
    if (d == 1 || s.inputs.empty() || s.dilations != std::vector<int64_t>{1, 1}) return;
    torch::Tensor& w = s.inputs[0];
    const int64_t dense = (k - 1) * d + 1;
    if (w.dim() != 4 || w.size(2) != dense || w.size(3) != dense) return;
    const torch::Tensor grid = w.slice(2, 0, dense, d).slice(3, 0, dense, d);
    torch::Tensor off = w.clone();
    off.slice(2, 0, dense, d).slice(3, 0, dense, d).zero_();
    if (off.count_nonzero().item<int64_t>() != 0)
      throw std::invalid_argument(path_ + ": " + s.label + ": a dense " + std::to_string(dense) + "x" +
                                  std::to_string(dense) + " kernel with values off the dilation-" + std::to_string(d) +
                                  " grid cannot be a dilated " + std::to_string(k) + "x" + std::to_string(k) + " one");
    w = grid.contiguous();
    s.dilations = {d, d};
  }

  std::string tensor_label(const SourceOp& s, size_t i) const {
    return path_ + ": " + s.label + " " + s.input_labels.at(i);
  }

  void conv(const SourceOp& s, const Target& t, torch::Tensor& weight, torch::Tensor& bias) {
    copy_weight(weight, s.inputs[0], tensor_label(s, 0), t.path + ".weight", stats_);
    const bool file_bias = s.inputs.size() > 1 && (bias.defined() || s.inputs[1].count_nonzero().item<int64_t>() > 0);
    if (file_bias && bias.defined()) {
      copy_weight(bias, s.inputs[1], tensor_label(s, 1), t.path + ".bias", stats_);
    } else if (file_bias) {
      folded_bias_ = s.inputs[1];
      folded_label_ = s.label;
    } else if (bias.defined()) {
      torch::NoGradGuard no_grad;
      bias.zero_();
    }
  }

  void batch_norm(const Target& t) {
    auto& m = *t.module->as<SyncBatchNorm2d>();
    torch::NoGradGuard no_grad;
    const double eps = m.options.eps();
    if (pos_ < ops_.size() && ops_[pos_].kind == "BatchNormalization") {
      const SourceOp& s = next(t);
      if (s.inputs.size() != 4) throw std::invalid_argument(path_ + ": " + s.label + ": expected 4 initializer inputs");
      copy_weight(m.weight, s.inputs[0], tensor_label(s, 0), t.path + ".weight", stats_);
      copy_weight(m.bias, s.inputs[1], tensor_label(s, 1), t.path + ".bias", stats_);
      copy_weight(m.running_mean, s.inputs[2], tensor_label(s, 2), t.path + ".running_mean", stats_);
      copy_weight(m.running_var, s.inputs[3], tensor_label(s, 3), t.path + ".running_var", stats_);
      // Another eps moves into the variance: var + eps_file == var' + eps_net. ONNX stores eps as a float.
      const double file_eps = s.epsilon;
      if (static_cast<float>(file_eps) != static_cast<float>(eps)) m.running_var.add_(file_eps - eps);
      // A conv bias before an unfolded BN shifts the mean it subtracts.
      if (folded_bias_.defined()) m.running_mean.sub_(folded_bias_.to(m.running_mean.device()));
    } else {
      // Folded in the source: the preceding convolution already applies it.
      m.weight.fill_(1.0);
      m.running_mean.zero_();
      m.running_var.fill_(identity_bn_variance(eps));
      if (folded_bias_.defined())
        copy_weight(m.bias, folded_bias_, path_ + ": " + folded_label_ + " bias (BatchNorm folded)", t.path + ".bias",
                    stats_);
      else
        m.bias.zero_();
    }
    folded_bias_ = torch::Tensor();
  }

  std::string path_;
  std::vector<SourceOp> ops_;
  size_t pos_ = 0;
  torch::Tensor folded_bias_;  // bias of a source convolution whose net counterpart has none
  std::string folded_label_;
  ImportStats stats_;
};

// The weight whose shape identifies the module's counterpart.
at::IntArrayRef weight_shape(const Target& t) {
  if (auto* c = t.module->as<torch::nn::Conv2d>()) return c->weight.sizes();
  if (auto* c = t.module->as<torch::nn::ConvTranspose2d>()) return c->weight.sizes();
  if (auto* b = t.module->as<SyncBatchNorm2d>()) return b->weight.sizes();
  return t.module->as<torch::nn::PReLU>()->weight.sizes();
}

}  // namespace

std::vector<SourceOp> align_to_net(std::vector<SourceOp> ops, const std::vector<std::vector<size_t>>& depends_on,
                                   SegNetImpl& net) {
  std::vector<bool> placed(ops.size(), false);
  std::vector<size_t> order;
  const auto ready = [&](size_t i) {
    return std::all_of(depends_on[i].begin(), depends_on[i].end(), [&](size_t d) { return placed[d]; });
  };
  for (const Target& t : weighted_modules(net)) {
    for (size_t i = 0; i < ops.size(); ++i) {
      if (placed[i] || ops[i].kind != t.op || ops[i].inputs.empty() || !ready(i) ||
          ops[i].inputs[0].sizes() != weight_shape(t))
        continue;
      placed[i] = true;
      order.push_back(i);
      break;
    }
  }
  for (size_t i = 0; i < ops.size(); ++i)
    if (!placed[i]) order.push_back(i);
  std::vector<SourceOp> out;
  for (size_t i : order) out.push_back(std::move(ops[i]));
  return out;
}

ImportStats map_weighted_ops(const std::string& path, std::vector<SourceOp> ops, SegNetImpl& net) {
  Mapper mapper(path, std::move(ops));
  mapper.map(weighted_modules(net));
  return mapper.stats();
}

}  // namespace pseg
