#include "core/import/import_keras_h5.h"

#include "core/import/importer_registry.h"
#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <set>
#include <stdexcept>

#include "core/import/keras_h5.h"
#include "nets/mobile_unet.h"
#include "nets/slim_net.h"
#include "nets/sync_batch_norm.h"

namespace pseg {
namespace {

using LayerMap = std::vector<std::pair<std::string, std::string>>;  // (Keras layer, module path)

std::string keras_class(const torch::nn::Module& m) {
  if (m.as<torch::nn::ConvTranspose2d>()) return "conv2d_transpose";
  if (m.as<torch::nn::Conv2d>()) return "conv2d";
  if (m.as<SyncBatchNorm2d>()) return "batch_normalization";
  return {};
}

// N of "<cls>" (0) or "<cls>_N"; -1 when `name` is not a generated name of that class.
int64_t generated_index(const std::string& name, const std::string& cls) {
  static const std::regex suffix("_([0-9]+)");
  if (name == cls) return 0;
  std::smatch m;
  const std::string rest = name.rfind(cls, 0) == 0 ? name.substr(cls.size()) : std::string();
  return std::regex_match(rest, m, suffix) ? std::stoll(m[1]) : -1;
}

// Encoder layers by name; decoder/head layers (generated names) by their per-class rank in the file.
LayerMap mobile_unet_layer_map(MobileUnetImpl& net, const std::vector<KerasLayer>& file, const std::string& path) {
  LayerMap map;
  std::map<std::string, std::vector<std::string>> generated;  // class -> module paths, construction order
  for (const auto& item : net.named_modules("", /*include_self=*/false)) {
    const std::string cls = keras_class(*item.value());
    if (cls.empty()) continue;
    const std::string& p = item.key();
    const bool decoder = p == "head" || (p.size() > 2 && p[0] == 'd' && std::isdigit(static_cast<unsigned char>(p[1])));
    if (decoder) {
      generated[cls].push_back(p);
    } else {
      std::string name = p;
      std::replace(name.begin(), name.end(), '.', '_');
      map.emplace_back(name, p);
    }
  }
  // A file of another net usually lacks the encoder layers: say so before counting decoder layers.
  for (const auto& [name, module] : map) {
    const std::string& layer = name;  // a structured binding cannot be captured in C++17
    if (std::none_of(file.begin(), file.end(), [&](const KerasLayer& l) { return l.name == layer; }))
      throw std::invalid_argument(path + ": layer " + name + " (net module " + module + ") is missing from the file");
  }
  for (const auto& [cls, modules] : generated) {
    std::vector<std::pair<int64_t, std::string>> ranked;
    for (const auto& l : file)
      if (const int64_t n = generated_index(l.name, cls); n >= 0) ranked.emplace_back(n, l.name);
    std::sort(ranked.begin(), ranked.end());
    if (ranked.size() != modules.size())
      throw std::invalid_argument(path + ": the file has " + std::to_string(ranked.size()) + " " + cls +
                                  " layers, the Mobile-Unet decoder and head need " + std::to_string(modules.size()) +
                                  " (check model.decoder)");
    for (size_t i = 0; i < modules.size(); ++i) map.emplace_back(ranked[i].second, modules[i]);
  }
  return map;
}

LayerMap layer_map(SegNetImpl& net, const std::vector<KerasLayer>& file, const std::string& path) {
  if (auto* slim = dynamic_cast<SlimNetImpl*>(&net)) return slim->keras_layer_map();
  if (auto* unet = dynamic_cast<MobileUnetImpl*>(&net)) return mobile_unet_layer_map(*unet, file, path);
  throw std::invalid_argument("import from Keras .h5: no Keras layer names are known for net " + net.config().net +
                              " (supported: slim_net, mobile_unet)");
}

// Copies the weights of one Keras layer into one module, converting layouts.
class LayerCopier {
 public:
  LayerCopier(const std::string& file, const KerasLayer& layer, std::string module_path, ImportStats& stats)
      : where_(file + ": layer " + layer.name), module_(std::move(module_path)), stats_(stats) {
    for (const auto& w : layer.weights)
      if (!weights_.emplace(w.name, &w).second) throw std::invalid_argument(where_ + ": weight " + w.name + " twice");
  }

  void copy(torch::nn::Module& m) {
    if (auto* sep = m.as<blocks::SeparableConv2d>()) {
      take("depthwise_kernel", sep->depthwise->weight, {2, 3, 0, 1}, "depthwise.weight");
      take("pointwise_kernel", sep->pointwise->weight, {3, 2, 0, 1}, "pointwise.weight");
      take_bias(sep->pointwise->bias, "pointwise.bias");
    } else if (auto* t = m.as<torch::nn::ConvTranspose2d>()) {
      take("kernel", t->weight, {3, 2, 0, 1}, "weight");  // (kh,kw,out,in) -> (in,out,kh,kw), no spatial flip
      take_bias(t->bias, "bias");
    } else if (auto* c = m.as<torch::nn::Conv2d>()) {
      if (c->options.groups() > 1) take("depthwise_kernel", c->weight, {2, 3, 0, 1}, "weight");
      else take("kernel", c->weight, {3, 2, 0, 1}, "weight");
      take_bias(c->bias, "bias");
    } else if (auto* p = m.as<torch::nn::PReLU>()) {
      const KerasWeight& w = get("alpha");
      if (w.value.numel() != p->weight.numel())
        throw std::invalid_argument(where_ + ": weight alpha: shape " + shape_string(w.value.sizes()) + " in the file, " +
                                    std::to_string(p->weight.numel()) + " channels in the net (" + module_ + ")");
      copy_weight(p->weight, w.value.reshape(p->weight.sizes()), label(w), module_ + ".weight", stats_);
    } else if (auto* bn = m.as<SyncBatchNorm2d>()) {
      take("gamma", bn->weight, {}, "weight");
      take("beta", bn->bias, {}, "bias");
      take("moving_mean", bn->running_mean, {}, "running_mean");
      take("moving_variance", bn->running_var, {}, "running_var");
    } else {
      throw std::invalid_argument(where_ + ": net module " + module_ + " is not a layer with weights");
    }
    for (const auto& [name, w] : weights_)
      if (!used_.count(name))
        throw std::invalid_argument(where_ + ": weight " + w->dataset + " has no counterpart in net module " + module_);
  }

 private:
  const KerasWeight& get(const std::string& name) {
    const auto it = weights_.find(name);
    if (it == weights_.end())
      throw std::invalid_argument(where_ + ": weight " + name + " is missing (needed by net module " + module_ + ")");
    used_.insert(name);
    return *it->second;
  }

  std::string label(const KerasWeight& w) const {
    return where_ + ": weight " + w.dataset + " (Keras shape " + shape_string(w.value.sizes()) + ")";
  }

  void take(const std::string& name, torch::Tensor& dst, std::vector<int64_t> perm, const std::string& member) {
    const KerasWeight& w = get(name);
    if (!perm.empty() && w.value.dim() != static_cast<int64_t>(perm.size()))
      throw std::invalid_argument(label(w) + ": expected " + std::to_string(perm.size()) + " dimensions");
    copy_weight(dst, perm.empty() ? w.value : w.value.permute(perm), label(w), module_ + "." + member, stats_);
  }

  void take_bias(torch::Tensor& dst, const std::string& member) {
    if (dst.defined()) take("bias", dst, {}, member);
  }

  std::string where_;
  std::string module_;
  ImportStats& stats_;
  std::map<std::string, const KerasWeight*> weights_;
  std::set<std::string> used_;
};

}  // namespace

ImportStats import_keras_h5_weights(const std::string& path, SegNetImpl& net) {
  const std::vector<KerasLayer> file = read_keras_h5(path);
  if (file.empty()) throw std::runtime_error(path + ": the Keras file holds no layer weights");
  const LayerMap map = layer_map(net, file, path);
  std::map<std::string, const KerasLayer*> by_name;
  for (const auto& l : file) by_name[l.name] = &l;
  const auto modules = net.named_modules("", /*include_self=*/false);

  ImportStats stats;
  std::set<std::string> used;
  for (const auto& [layer, module_path] : map) {
    const auto it = by_name.find(layer);
    if (it == by_name.end())
      throw std::invalid_argument(path + ": layer " + layer + " (net module " + module_path + ") is missing from the file");
    const auto* module = modules.find(module_path);
    if (!module) throw std::logic_error("Keras layer map names an unknown module " + module_path);
    LayerCopier(path, *it->second, module_path, stats).copy(**module);
    used.insert(layer);
    ++stats.layers;
  }
  for (const auto& l : file)
    if (!used.count(l.name))
      throw std::invalid_argument(path + ": layer " + l.name + " has no counterpart in net " + net.config().net +
                                  " (unknown layer)");
  return stats;
}

ImporterEntry keras_h5_importer() {
  return {"keras_h5", "layer weights of a tf.keras HDF5 file (Slim-Net, Mobile-Unet)", {".h5", ".hdf5"},
          import_keras_h5_weights};
}

}  // namespace pseg
