#include "core/export/export_job.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <unistd.h>

#include "core/common/atomic_file.h"
#include "core/common/error_report.h"
#include "core/common/errors.h"
#include "core/torch_runtime/device.h"
#include "core/model_io/checkpoint.h"
#include "core/config/config.h"
#include "core/export/export_head.h"
#include "core/export/export_onnx.h"
#include "core/export/reduced_precision.h"
#include "core/export/export_torchscript.h"
#include "core/model_io/weight_copy.h"
#include "nets/registry.h"

namespace fs = std::filesystem;

namespace pseg {
namespace {

struct Source {
  SegNet net;
  std::string config_hash;
  std::string name;  // base name of the exported files
};

// The config the export describes, with --size applied to it: one source for the net and its hash.
Config export_config(const Config& base, const ExportOptions& o) {
  if (o.height == 0) return base;
  nlohmann::json j = base.resolved;
  apply_override(j, input_size_override(o.height, o.width));
  return parse_config(j, base.source);
}

Source load_source(const ExportOptions& o) {
  Source s;
  Config config;
  if (!o.model.empty()) {
    const LoadedCheckpoint ckpt = load_checkpoint(o.model, o.device);
    config = export_config(ckpt.config, o);
    s.net = ckpt.net;
    if (o.height > 0) {
      s.net = create_net(config.model);
      s.net->to(parse_device(o.device));
      copy_net_state(*s.net, *ckpt.net, o.model);
    }
    s.name = fs::path(o.model).stem().string();
  } else {
    config = export_config(load_config(o.config, o.overrides), o);
    torch::manual_seed(o.seed);
    s.net = create_net(config.model);
    s.net->to(parse_device(o.device));
    s.name = fs::path(o.config).stem().string();
  }
  s.config_hash = config_hash(config.resolved);
  s.net->eval();
  return s;
}

std::string extension(const std::string& format) { return format == "onnx" ? ".onnx" : ".pt"; }

// Final paths: `out` is the file itself for a single format given with its extension, else a directory.
fs::path target_path(const ExportOptions& o, const std::string& format, const std::string& name) {
  const fs::path out(o.out);
  const bool single = o.format != ExportFormat::All || o.precision.precision != Precision::Fp32;
  if (single && out.extension() == extension(format)) return out;
  return out / (name + extension(format));
}

void ensure_directory(const fs::path& dir) {
  if (dir.empty()) return;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir))
    throw std::runtime_error(dir.string() + ": cannot create the output directory" + (ec ? ": " + ec.message() : ""));
  const fs::path probe = dir / (".portraitseg-write-test-" + std::to_string(::getpid()));
  std::ofstream test(probe);
  const bool writable = static_cast<bool>(test);
  test.close();
  fs::remove(probe, ec);
  if (!writable) throw std::runtime_error(dir.string() + ": output directory is not writable");
}

std::string verify_summary(const VerifyReport& r) {
  std::string s;
  for (const auto& c : r.cases) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", c.max_abs_diff);
    s += (s.empty() ? "" : ", ") + c.input + " " + buf;
  }
  return s;
}

}  // namespace

ExportFormat parse_export_format(const std::string& s) {
  if (s == "torchscript") return ExportFormat::TorchScript;
  if (s == "onnx") return ExportFormat::Onnx;
  if (s == "all") return ExportFormat::All;
  throw std::invalid_argument("format: expected \"torchscript\", \"onnx\" or \"all\", got \"" + s + "\"");
}

ExportResult run_export(const ExportOptions& o) {
  if (o.model.empty() == o.config.empty()) throw std::invalid_argument("export: give exactly one of model or config");
  if (o.out.empty()) throw std::invalid_argument("export: out: no output path given");
  if (o.opset != 11 && o.opset != 13)
    throw std::invalid_argument("opset: expected 11 or 13, got " + std::to_string(o.opset));
  if ((o.height > 0) != (o.width > 0)) throw std::invalid_argument("size: give both height and width");
  if (!(o.threshold > 0.f && o.threshold < 1.f))
    throw std::invalid_argument("threshold: expected a value in (0, 1), got " + std::to_string(o.threshold));

  check_precision_options(o.precision, o.opset, o.fold_bn);
  const bool reduced = o.precision.precision != Precision::Fp32;
  if (reduced && o.format == ExportFormat::TorchScript)
    throw std::invalid_argument("precision " + to_string(o.precision.precision) +
                                ": TorchScript export is fp32 only (LibTorch has no float16 or int8 CPU convolutions "
                                "for a traced module); use --format onnx");

  Source src = load_source(o);
  if (reduced) src.name += "." + to_string(o.precision.precision);
  SegNetImpl& net = *src.net;
  ExportResult result;
  result.meta = meta_for(net, o.head, o.threshold);
  result.meta.config_hash = src.config_hash;
  const auto& spec = net.input_spec();
  const torch::Device device(o.device);
  const torch::Tensor example = torch::zeros({1, spec.channels, spec.height, spec.width}, torch::TensorOptions().device(device));
  const EagerFn eager = [&](const torch::Tensor& x) { return inference_forward(net, x, o.head, o.threshold); };
  // Calibration images are read before anything is written: a bad set leaves no file behind.
  std::unique_ptr<CalibrationSet> calibration;
  if (!o.precision.calibration.empty()) {
    calibration = std::make_unique<CalibrationSet>(
        load_calibration_set(o.precision.calibration, o.precision.calibration_images, result.meta));
    spdlog::info("export: {} calibration images of {} in {}", calibration->inputs.size(), calibration->available,
                 calibration->spec);
  }
  std::vector<VerifyInput> inputs = verification_inputs(result.meta, o.dynamic_batch, device);
  if (reduced && calibration) {
    inputs.clear();
    for (size_t i = 0; i < calibration->inputs.size(); ++i)
      inputs.push_back({"calibration-" + std::to_string(i), calibration->inputs[i].to(device)});
  }

  std::vector<std::string> formats;
  if (reduced && o.format == ExportFormat::All)
    spdlog::info("export: precision {} is written as ONNX only", to_string(o.precision.precision));
  if (o.format != ExportFormat::Onnx && !reduced) formats.push_back("torchscript");
  if (o.format != ExportFormat::TorchScript) formats.push_back("onnx");
  std::vector<fs::path> targets;
  for (const auto& f : formats) {
    targets.push_back(target_path(o, f, src.name));
    ensure_directory(targets.back().parent_path());
  }

  // The metadata sidecar is named after the net's source: beside its config it would replace the config.
  const fs::path meta_path = targets.front().parent_path() / (src.name + ".json");
  std::error_code ec;
  if (!o.config.empty() && fs::equivalent(meta_path, o.config, ec))
    throw ConfigError("export: the metadata file " + meta_path.string() + " would replace the config " + o.config +
                      "; export to another directory");

  // Every file is verified as a temp file; only when all pass are they moved into place together.
  std::vector<std::unique_ptr<AtomicFile>> temps;
  ModelMeta written = result.meta;
  for (size_t i = 0; i < formats.size(); ++i) {
    const std::string& format = formats[i];
    temps.push_back(std::make_unique<AtomicFile>(targets[i]));
    const std::string tmp = temps.back()->temp_path().string();
    ExportedFile file;
    file.format = format;
    file.path = targets[i].string();
    const auto t0 = std::chrono::steady_clock::now();
    try {
      if (format == "torchscript") {
        export_torchscript(net, example, result.meta, tmp);
      } else {
        OnnxModel model = build_onnx_model(net, example, result.meta, {o.opset, o.dynamic_batch, o.fold_bn});
        std::vector<torch::Tensor> samples;
        for (const auto& in : inputs) samples.push_back(in.x.to(torch::kCPU));
        apply_precision(model, o.precision, samples, calibration.get());
        write_onnx_model(model, tmp);
        written = model.meta;
      }
    } catch (...) {
      // The writers name the temp file they were given: the user knows the target.
      const ErrorReport report = current_error_report();
      if (report.exit_code != 1) throw;
      std::string why = report.message;
      if (why.rfind(tmp + ": ", 0) == 0) why.erase(0, tmp.size() + 2);
      throw RuntimeError(file.path + ": " + why);
    }
    file.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    file.bytes = static_cast<int64_t>(fs::file_size(tmp));
    spdlog::info("export: wrote {} ({} bytes, {:.2f} s)", file.path, file.bytes, file.seconds);
    if (o.verify) {
      file.verify = format == "torchscript" ? verify_torchscript(tmp, eager, inputs, o.head)
                    : reduced              ? verify_onnx_reduced(tmp, eager, inputs)
                                           : verify_onnx_opencv(tmp, eager, inputs, o.head);
      file.verified = true;
      spdlog::info("export: {} via {}: max |diff| {}", format, file.verify.runtime, verify_summary(file.verify));
      if (!file.verify.ok && file.verify.report_only)
        throw std::runtime_error("export: " + file.path + " gives a non-finite or wrongly shaped output in " +
                                 file.verify.runtime + "; no file written");
      if (!file.verify.ok)
        throw std::runtime_error("export: " + file.path + " does not match the eager model in " + file.verify.runtime +
                                 " (max |diff| " + std::to_string(file.verify.max_abs_diff()) + " > tolerance " +
                                 std::to_string(file.verify.tolerance) + "); no file written");
    }
    result.files.push_back(file);
  }
  for (auto& t : temps) t->commit();
  result.meta = written;

  write_file_atomic(meta_path.string(), to_json(result.meta).dump(2) + "\n");
  result.meta_path = meta_path.string();
  return result;
}

nlohmann::json to_json(const ExportResult& r) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : r.files) {
    nlohmann::json j = {{"format", f.format}, {"path", f.path}, {"bytes", f.bytes}, {"seconds", f.seconds}};
    if (f.verified) {
      nlohmann::json cases = nlohmann::json::object();
      for (const auto& c : f.verify.cases) cases[c.input] = c.max_abs_diff;
      j["verify"] = {{"runtime", f.verify.runtime},
                     {"max_abs_diff", cases},
                     {"tolerance", f.verify.tolerance},
                     {"ok", f.verify.ok}};
      if (f.verify.report_only) {
        nlohmann::json means = nlohmann::json::object();
        for (const auto& c : f.verify.cases) means[c.input] = c.mean_abs_diff;
        j["verify"]["compared_with"] = "the fp32 eager model";
        j["verify"]["mean_abs_diff"] = means;
        j["verify"].erase("tolerance");
      }
    }
    files.push_back(j);
  }
  return {{"meta", to_json(r.meta)}, {"meta_path", r.meta_path}, {"files", files}};
}

}  // namespace pseg
