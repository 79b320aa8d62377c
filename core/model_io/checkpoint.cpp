#include "core/model_io/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fcntl.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/output-archive.h>
#include <torch/version.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>

#include "core/common/atomic_file.h"
#include "core/torch_runtime/device.h"
#include "core/torch_runtime/memory_format.h"
#include "core/common/errors.h"
#include "core/model_io/torch_archive.h"
#include "nets/registry.h"
#include "portraitseg/version.h"

namespace pseg {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFormat = "portraitseg.checkpoint";
constexpr const char* kProducer = "portraitseg " PORTRAITSEG_VERSION " (LibTorch " TORCH_VERSION ")";

// The first line of a c10::Error, without the C++ backtrace.
std::string brief(const c10::Error& e) {
  std::string s = e.what_without_backtrace();
  const auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

void write_all(int fd, const void* data, size_t n, int& error) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      error = errno;
      return;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
}

// Streams the archive into an AtomicFile beside `path`; the zip writer reports errors by a short count.
void save_atomically(torch::serialize::OutputArchive& archive, const std::string& path) {
  AtomicFile file(path);
  const int fd = ::open(file.temp_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    throw RuntimeError(path + ": cannot create " + file.temp_path().string() + ": " + std::strerror(errno));
  int error = 0;
  try {
    archive.save_to([&](const void* data, size_t n) -> size_t {
      if (error) return 0;
      write_all(fd, data, n, error);
      return error ? 0 : n;
    });
  } catch (const c10::Error&) {
    if (!error) error = EIO;
  }
  if (::close(fd) != 0 && !error) error = errno;
  if (error) throw RuntimeError(path + ": cannot write checkpoint: " + std::strerror(error));
  file.commit();
}

std::string read_string(torch::serialize::InputArchive& archive, const std::string& key, const std::string& path) {
  c10::IValue v;
  if (!archive.try_read(key, v) || !v.isString())
    throw RuntimeError(path + ": not a portraitseg checkpoint (no \"" + key + "\" record)");
  return v.toStringRef();
}

nlohmann::json parse_json_record(const std::string& text, const std::string& key, const std::string& path) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw RuntimeError(path + ": corrupt checkpoint (record \"" + key + "\" is not JSON)");
  return j;
}

}  // namespace

// On disk (format 1): the scheduler state and, under "extra", the resume counters.
nlohmann::json training_state_to_json(const TrainingState& s) {
  nlohmann::json scheduler = nlohmann::json::object();
  if (!s.scheduler.kind.empty())
    scheduler = {{"kind", s.scheduler.kind},
                 {"lr", s.scheduler.lr},
                 {"best", s.scheduler.best ? nlohmann::json(*s.scheduler.best) : nlohmann::json()},
                 {"wait", s.scheduler.wait},
                 {"cooldown_counter", s.scheduler.cooldown_counter}};
  return {{"epoch", s.epoch},
          {"step", s.step},
          {"best_metric", std::isnan(s.best_metric) ? nlohmann::json() : nlohmann::json(s.best_metric)},
          {"best_metric_name", s.best_metric_name},
          {"scheduler", scheduler},
          {"extra",
           {{"early_stop_wait", s.early_stop_wait}, {"step_in_epoch", s.step_in_epoch}, {"global_batch", s.global_batch}}}};
}

TrainingState training_state_from_json(const nlohmann::json& j) {
  TrainingState s;
  s.epoch = j.at("epoch").get<int64_t>();
  s.step = j.at("step").get<int64_t>();
  s.best_metric = j.at("best_metric").is_null() ? std::numeric_limits<double>::quiet_NaN()
                                                : j.at("best_metric").get<double>();
  s.best_metric_name = j.at("best_metric_name").get<std::string>();
  const nlohmann::json& sched = j.at("scheduler");
  if (sched.contains("kind")) {
    s.scheduler.kind = sched.at("kind").get<std::string>();
    s.scheduler.lr = sched.at("lr").get<double>();
    if (!sched.at("best").is_null()) s.scheduler.best = sched.at("best").get<double>();
    s.scheduler.wait = sched.at("wait").get<int64_t>();
    s.scheduler.cooldown_counter = sched.at("cooldown_counter").get<int64_t>();
  }
  const nlohmann::json& extra = j.at("extra");
  s.early_stop_wait = extra.value("early_stop_wait", int64_t{0});
  s.step_in_epoch = extra.value("step_in_epoch", int64_t{0});
  s.global_batch = extra.value("global_batch", int64_t{0});
  return s;
}

void save_checkpoint(const std::string& path, const Config& config, SegNetImpl& net, const TrainingState& state,
                     const torch::optim::Optimizer* optimizer) {
  if (!config.resolved.is_object())
    throw std::invalid_argument("save_checkpoint: the config has no resolved JSON to store (use parse_config)");
  if (net.config().net != config.model.net)
    throw std::invalid_argument("save_checkpoint: the net is \"" + net.config().net + "\" but the config names \"" +
                                config.model.net + "\"");
  torch::serialize::OutputArchive archive;
  archive.write("format", c10::IValue(std::string(kFormat)));
  archive.write("version", c10::IValue(static_cast<int64_t>(kCheckpointVersion)));
  archive.write("producer", c10::IValue(std::string(kProducer)));
  archive.write("net", c10::IValue(config.model.net));
  archive.write("config", c10::IValue(config.resolved.dump()));
  archive.write("config_source", c10::IValue(config.source));
  archive.write("state", c10::IValue(training_state_to_json(state).dump()));

  // Weights are stored contiguous whatever format training runs in (train.channels_last): every reader sees one layout.
  const ContiguousWeights contiguous(net);
  torch::serialize::OutputArchive weights;
  net.save(weights);
  archive.write("model", weights);
  if (optimizer) {
    torch::serialize::OutputArchive optim;
    optimizer->save(optim);
    archive.write("optimizer", optim);
    archive.write("optimizer_kind", c10::IValue(config.optim.name));
  }
  archive.write("rng_cpu", at::detail::getDefaultCPUGenerator().get_state(), /*is_buffer=*/true);
  save_atomically(archive, path);
}

LoadedCheckpoint load_checkpoint(const std::string& path, const std::string& device) {
  if (!fs::is_regular_file(path)) throw RuntimeError(path + ": no such checkpoint file");
  const torch::Device dev = parse_device(device);
  LoadedCheckpoint ckpt;
  ckpt.path = path;
  ckpt.archive = std::make_shared<torch::serialize::InputArchive>();
  auto& archive = *ckpt.archive;
  check_torch_archive(path, "portraitseg checkpoint");
  try {
    archive.load_from(path, dev);
  } catch (const c10::Error& e) {
    throw RuntimeError(path + ": not a readable portraitseg checkpoint (truncated or another format: " + brief(e) +
                       ")");
  }
  if (read_string(archive, "format", path) != kFormat) throw RuntimeError(path + ": not a portraitseg checkpoint");
  c10::IValue version;
  if (!archive.try_read("version", version) || !version.isInt())
    throw RuntimeError(path + ": corrupt checkpoint (no format version)");
  ckpt.version = static_cast<int>(version.toInt());
  if (ckpt.version < 1 || ckpt.version > kCheckpointVersion)
    throw RuntimeError(path + ": checkpoint format version " + std::to_string(ckpt.version) +
                       " is not supported by this build (it reads versions 1 to " +
                       std::to_string(kCheckpointVersion) + ")");

  c10::IValue producer;
  if (archive.try_read("producer", producer) && producer.isString()) ckpt.producer = producer.toStringRef();

  ckpt.config_json = parse_json_record(read_string(archive, "config", path), "config", path);
  try {
    // The original file name keeps source-derived defaults (train.run_dir) as they were.
    c10::IValue source;
    const bool has_source = archive.try_read("config_source", source) && source.isString();
    ckpt.config = parse_config(ckpt.config_json, has_source ? source.toStringRef() : path);
  } catch (const std::invalid_argument& e) {
    throw RuntimeError(path + ": the stored config does not fit this build: " + e.what());
  }
  try {
    ckpt.state = training_state_from_json(parse_json_record(read_string(archive, "state", path), "state", path));
  } catch (const nlohmann::json::exception& e) {
    throw RuntimeError(path + ": corrupt training state: " + e.what());
  }

  try {
    ckpt.net = create_net(ckpt.config.model);
  } catch (const std::invalid_argument& e) {
    throw RuntimeError(path + ": cannot rebuild the net: " + e.what());
  }
  ckpt.net->to(dev);
  std::map<std::string, std::vector<int64_t>> expected;
  for (const auto& p : ckpt.net->named_parameters()) expected[p.key()] = p.value().sizes().vec();
  for (const auto& b : ckpt.net->named_buffers()) expected[b.key()] = b.value().sizes().vec();
  torch::serialize::InputArchive weights;
  if (!archive.try_read("model", weights)) throw RuntimeError(path + ": corrupt checkpoint (no weights)");
  try {
    ckpt.net->load(weights);
  } catch (const c10::Error& e) {
    throw RuntimeError(path + ": weights do not match net " + ckpt.net->describe() + ": " + brief(e));
  }
  auto check_shape = [&](const std::string& name, const torch::Tensor& t) {
    if (t.sizes().vec() != expected.at(name))
      throw RuntimeError(path + ": " + name + " has shape " + c10::str(t.sizes()) + " in the checkpoint, " +
                         c10::str(c10::IntArrayRef(expected.at(name))) + " in net " + ckpt.net->describe());
  };
  for (const auto& p : ckpt.net->named_parameters()) check_shape(p.key(), p.value());
  for (const auto& b : ckpt.net->named_buffers()) check_shape(b.key(), b.value());
  return ckpt;
}

bool restore_optimizer(const LoadedCheckpoint& ckpt, torch::optim::Optimizer& optimizer, const std::string& name) {
  torch::serialize::InputArchive state;
  if (!ckpt.archive || !ckpt.archive->try_read("optimizer", state)) return false;
  c10::IValue kind;
  if (ckpt.archive->try_read("optimizer_kind", kind) && kind.isString() &&
      kind.toStringRef() != name)
    throw ConfigError("optim.name: " + ckpt.path + " holds " + kind.toStringRef() + " optimiser state, the " +
                      "optimiser is " + name + " (optim.name changed?)");
  try {
    optimizer.load(state);
  } catch (const c10::Error& e) {
    throw RuntimeError(ckpt.path + ": optimiser state does not match the parameters: " + brief(e));
  }
  return true;
}

void restore_rng(const LoadedCheckpoint& ckpt) {
  torch::Tensor rng;
  if (!ckpt.archive || !ckpt.archive->try_read("rng_cpu", rng, /*is_buffer=*/true))
    throw RuntimeError(ckpt.path + ": corrupt checkpoint (no RNG state)");
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(rng.cpu());
}

}  // namespace pseg
