#include "core/distributed/distributed.h"

#include <c10/util/Exception.h>
#include <spdlog/spdlog.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/torch.h>
#include <torch/version.h>
#ifdef USE_C10D_NCCL
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>

#include "core/common/errors.h"
#include "nets/sync_batch_norm.h"

namespace pseg {
namespace {

using Clock = std::chrono::steady_clock;

// LibTorch 2.x made Gloo and NCCL subclasses of c10d::Backend; in 1.13 they are c10d::ProcessGroups. Both
// declare the same collectives.
#if TORCH_VERSION_MAJOR >= 2
using Collectives = c10d::Backend;
#else
using Collectives = c10d::ProcessGroup;
#endif

int env_int(const char* name, int fallback, bool required) {
  const char* v = std::getenv(name);
  if (!v || !*v) {
    if (required) throw ConfigError(std::string("environment: ") + name + " is required when WORLD_SIZE > 1");
    return fallback;
  }
  size_t used = 0;
  int value = -1;
  try {
    value = std::stoi(v, &used);
  } catch (const std::exception&) {
  }
  if (used != std::string(v).size() || value < 0)
    throw ConfigError(std::string("environment: ") + name + "=\"" + v + "\" is not a non-negative integer");
  return value;
}

// The exception's text on one line (the CLI prints an error's first line only).
std::string message_of(const std::exception& e) {
  const auto* c = dynamic_cast<const c10::Error*>(&e);
  std::string m = c ? c->what_without_backtrace() : e.what();
  while (!m.empty() && m.back() == '\n') m.pop_back();
  for (auto& ch : m)
    if (ch == '\n') ch = ' ';
  return m;
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

// Consecutive tensors of one dtype and device, each group at most `cap_bytes` (a single larger tensor alone).
std::vector<std::vector<torch::Tensor>> buckets_of(const std::vector<torch::Tensor>& tensors, double cap_bytes) {
  std::vector<std::vector<torch::Tensor>> out;
  double bytes = 0;
  for (const auto& t : tensors) {
    const double b = static_cast<double>(t.numel() * t.element_size());
    const bool fits = !out.empty() && out.back().front().scalar_type() == t.scalar_type() &&
                      out.back().front().device() == t.device() && bytes + b <= cap_bytes;
    if (!fits) {
      out.emplace_back();
      bytes = 0;
    }
    out.back().push_back(t);
    bytes += b;
  }
  return out;
}

torch::Tensor flatten(const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> flat;
  flat.reserve(tensors.size());
  for (const auto& t : tensors) flat.push_back(t.reshape({-1}));
  return torch::cat(flat);
}

void unflatten_into(const torch::Tensor& flat, const std::vector<torch::Tensor>& tensors) {
  int64_t offset = 0;
  for (const auto& t : tensors) {
    t.copy_(flat.narrow(0, offset, t.numel()).view_as(t));
    offset += t.numel();
  }
}

std::vector<torch::Tensor> floating_buffers(torch::nn::Module& module) {
  std::vector<torch::Tensor> out;
  for (const auto& b : module.buffers())
    if (b.is_floating_point()) out.push_back(b);
  return out;
}

}  // namespace

DistributedEnv distributed_env_from_environment() {
  DistributedEnv e;
  e.world_size = env_int("WORLD_SIZE", 1, false);
  if (e.world_size < 1) throw ConfigError("environment: WORLD_SIZE must be >= 1");
  if (e.world_size == 1) return e;
  e.rank = env_int("RANK", 0, true);
  if (e.rank >= e.world_size)
    throw ConfigError("environment: RANK=" + std::to_string(e.rank) + " is outside WORLD_SIZE=" +
                      std::to_string(e.world_size));
  e.local_rank = env_int("LOCAL_RANK", e.rank, false);
  const char* addr = std::getenv("MASTER_ADDR");
  if (!addr || !*addr) throw ConfigError("environment: MASTER_ADDR is required when WORLD_SIZE > 1");
  e.master_addr = addr;
  e.master_port = env_int("MASTER_PORT", 0, true);
  if (e.master_port < 1 || e.master_port > 65535)
    throw ConfigError("environment: MASTER_PORT=" + std::to_string(e.master_port) + " is not a TCP port");
  return e;
}

std::string worker_device(const std::string& device, const DistributedEnv& env) {
  if (env.active() && device == "cuda") return "cuda:" + std::to_string(env.local_rank);
  return device;
}

struct Distributed::Group {
  c10::intrusive_ptr<c10d::Store> store;  // declared first: destroyed after the process group
  c10::intrusive_ptr<Collectives> pg;
  std::string backend;
  torch::Device device{torch::kCPU};
  int64_t sequence = 0;  // collectives issued by this rank; published in the store to find a lagging rank
  double batch_norm_seconds = 0;  // spent in the sync_bn collectives

  // Runs one collective; a failure (peer gone, timeout) becomes an error naming the ranks that never got here.
  void run(const DistributedEnv& env, const std::string& what, const std::function<void()>& collective) {
    ++sequence;
    const std::string mine = "pseg/sequence/" + std::to_string(env.rank);
    try {
      store->set(mine, std::vector<uint8_t>(reinterpret_cast<const uint8_t*>(&sequence),
                                            reinterpret_cast<const uint8_t*>(&sequence) + sizeof sequence));
      collective();
    } catch (const std::exception& e) {
      throw RuntimeError("distributed: rank " + std::to_string(env.rank) + ": " + what + " failed: " +
                         lagging_ranks(env) + " (" + message_of(e) + ")");
    }
  }

  // Ranks whose published sequence is behind ours never issued this collective; when none is, the culprit
  // entered it and stalled or died inside, and every other rank is a suspect.
  std::string lagging_ranks(const DistributedEnv& env) {
    std::string behind, others;
    try {
      for (int r = 0; r < env.world_size; ++r) {
        if (r == env.rank) continue;
        const std::string key = "pseg/sequence/" + std::to_string(r);
        int64_t seq = 0;
        if (store->check({key})) {
          const auto v = store->get(key);
          if (v.size() == sizeof seq) std::memcpy(&seq, v.data(), sizeof seq);
        }
        if (seq < sequence) behind += (behind.empty() ? "" : ", ") + std::to_string(r);
        others += (others.empty() ? "" : ", ") + std::to_string(r);
      }
    } catch (const std::exception&) {
      return "the rendezvous store on rank 0 (" + env.master_addr + ":" + std::to_string(env.master_port) +
             ") is unreachable: rank 0 has died";
    }
    if (behind.empty()) return "rank " + others + " entered this collective but did not complete it: died or hangs";
    return "rank " + behind + " never reached this collective: it died or hangs";
  }
};

Distributed::Distributed(const DistributedEnv& env, const DistributedConfig& config, bool sync_bn,
                         const torch::Device& device)
    : env_(env), config_(config), sync_bn_(sync_bn) {
  if (!env_.active()) return;
  std::string backend = config.backend;
  if (backend == "auto") {
#ifdef USE_C10D_NCCL
    backend = device.is_cuda() ? "nccl" : "gloo";
#else
    backend = "gloo";
#endif
  }
  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(config.timeout_s * 1000.0));
  group_ = std::make_shared<Group>();
  group_->backend = backend;
  group_->device = device;
  const auto t0 = Clock::now();
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(env_.master_port);
    so.isServer = env_.rank == 0;
    so.numWorkers = static_cast<size_t>(env_.world_size);
    so.waitWorkers = true;
    so.timeout = timeout;
    group_->store = c10::make_intrusive<c10d::TCPStore>(env_.master_addr, so);
    if (backend == "nccl") {
#ifdef USE_C10D_NCCL
      if (!device.is_cuda()) throw ConfigError("train.distributed.backend: nccl needs a CUDA device");
      c10::cuda::set_device(device.index());
      auto opts = c10d::ProcessGroupNCCL::Options::create();
      opts->timeout = timeout;
      group_->pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(group_->store, env_.rank, env_.world_size, opts);
#else
      throw ConfigError(
          "train.distributed.backend: nccl is not available in this build (LibTorch without USE_C10D_NCCL); "
          "use gloo");
#endif
    } else {
      auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
      // On one machine the loopback interface always works; across machines GLOO_SOCKET_IFNAME picks the
      // interface, else the address the hostname resolves to (which must not be 127.0.1.1).
      if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
        opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
      else if (is_loopback(env_.master_addr))
        opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
      else
        opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      group_->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, env_.rank, env_.world_size, opts);
    }
  } catch (const ConfigError&) {
    throw;
  } catch (const std::exception& e) {
    throw RuntimeError("distributed: rank " + std::to_string(env_.rank) + " could not join the " + backend +
                       " process group of " + std::to_string(env_.world_size) + " ranks at " + env_.master_addr +
                       ":" + std::to_string(env_.master_port) + " within " + std::to_string(config.timeout_s) +
                       " s: " + message_of(e));
  }
  spdlog::info("distributed: rank {} of {} joined the {} process group at {}:{} in {:.0f} ms", env_.rank,
               env_.world_size, backend, env_.master_addr, env_.master_port,
               std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
}

Distributed::~Distributed() = default;

std::string Distributed::backend() const { return group_ ? group_->backend : "none"; }

void Distributed::broadcast_from_main(torch::nn::Module& module) {
  if (!active()) return;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> tensors = module.parameters();
  for (const auto& b : module.buffers()) tensors.push_back(b);
  for (const auto& bucket : buckets_of(tensors, config_.bucket_mb * 1e6)) {
    std::vector<torch::Tensor> flat{flatten(bucket)};
    group_->run(env_, "broadcast of the initial weights from rank 0", [&] {
      c10d::BroadcastOptions o;
      o.rootRank = 0;
      group_->pg->broadcast(flat, o)->wait();
    });
    unflatten_into(flat[0], bucket);
  }
}

void Distributed::synchronise_batch_norm(torch::nn::Module& module) {
  if (!active() || !sync_bn_) return;
  const std::shared_ptr<Group> group = group_;
  const DistributedEnv env = env_;
  const int64_t layers = pseg::synchronise_batch_norm(module, [group, env](const torch::Tensor& t) {
    const auto t0 = Clock::now();
    std::vector<torch::Tensor> sum{t};  // reduced in place: the module passes a temporary
    group->run(env, "all-reduce of BatchNorm statistics (sync_bn)", [&] { group->pg->allreduce(sum)->wait(); });
    group->batch_norm_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    return sum[0];
  });
  spdlog::info("distributed: sync_bn: {} BatchNorm layers normalise with the statistics of the global batch", layers);
}

StepSignals Distributed::synchronize_step(torch::nn::Module& module, std::vector<double>& values, StepSignals local,
                                          int64_t step) {
  if (!active()) return local;
  const auto t0 = Clock::now();
  torch::NoGradGuard no_grad;
  // Parameters without a gradient are unused by this recipe on every rank alike, so skipping them keeps the
  // buckets identical across ranks (and Adam skips them, as in a single process).
  std::vector<torch::Tensor> tensors;
  for (const auto& p : module.parameters())
    if (p.grad().defined()) tensors.push_back(p.grad());
  auto buckets = buckets_of(tensors, config_.bucket_mb * 1e6);

  // values and the two signals ride in the last bucket, so a step costs one all-reduce per bucket.
  std::vector<double> extra = values;
  extra.push_back(local.stop ? 1.0 : 0.0);
  extra.push_back(local.out_of_time ? 1.0 : 0.0);
  const auto extra_options = buckets.empty() ? torch::TensorOptions(group_->device).dtype(torch::kFloat32)
                                             : buckets.back().front().options();
  const torch::Tensor extra_tensor = torch::tensor(extra, torch::dtype(torch::kFloat64)).to(extra_options);

  std::vector<std::vector<torch::Tensor>> flats(buckets.size() + (buckets.empty() ? 1 : 0));
  for (size_t i = 0; i < buckets.size(); ++i) {
    torch::Tensor f = flatten(buckets[i]);
    if (i + 1 == buckets.size()) f = torch::cat({f, extra_tensor});
    flats[i].push_back(f);
  }
  if (buckets.empty()) flats[0].push_back(extra_tensor.clone());

  group_->run(env_, "gradient all-reduce at step " + std::to_string(step), [&] {
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    for (auto& f : flats) works.push_back(group_->pg->allreduce(f));
    for (auto& w : works) w->wait();  // wait first, then average: dividing before the reduction ends races
  });
  for (size_t i = 0; i < flats.size(); ++i) {
    torch::Tensor& f = flats[i][0];
    f.div_(env_.world_size);
    if (i < buckets.size()) unflatten_into(f, buckets[i]);
  }
  const auto n = static_cast<int64_t>(extra.size());
  const torch::Tensor& last = flats.back()[0];
  const std::vector<double> reduced = [&] {
    const torch::Tensor e = last.narrow(0, last.numel() - n, n).to(torch::kCPU, torch::kFloat64).contiguous();
    return std::vector<double>(e.data_ptr<double>(), e.data_ptr<double>() + n);
  }();
  for (size_t i = 0; i < values.size(); ++i) values[i] = reduced[i];
  StepSignals s;
  s.stop = reduced[values.size()] > 0;
  s.out_of_time = reduced[values.size() + 1] > 0;
  sync_seconds_ += std::chrono::duration<double>(Clock::now() - t0).count();
  return s;
}

void Distributed::average_buffers(torch::nn::Module& module) {
  if (!active() || sync_bn_) return;
  torch::NoGradGuard no_grad;
  for (const auto& bucket : buckets_of(floating_buffers(module), config_.bucket_mb * 1e6)) {
    std::vector<torch::Tensor> flat{flatten(bucket)};
    group_->run(env_, "averaging of the BatchNorm statistics", [&] { group_->pg->allreduce(flat)->wait(); });
    flat[0].div_(env_.world_size);
    unflatten_into(flat[0], bucket);
  }
}

void Distributed::verify_replicas(torch::nn::Module& module) {
  if (!active()) return;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> tensors = module.parameters();
  for (const auto& b : module.buffers()) tensors.push_back(b);
  bool same = true;
  for (const auto& bucket : buckets_of(tensors, config_.bucket_mb * 1e6)) {
    const torch::Tensor mine = flatten(bucket);
    std::vector<torch::Tensor> main{mine.clone()};
    group_->run(env_, "weight consistency check", [&] {
      c10d::BroadcastOptions o;
      o.rootRank = 0;
      group_->pg->broadcast(main, o)->wait();
    });
    same = same && torch::equal(mine, main[0]);
  }
  std::vector<torch::Tensor> flag{torch::full({1}, same ? 0.0f : 1.0f, torch::TensorOptions(group_->device))};
  std::vector<std::vector<torch::Tensor>> flags(1);
  for (int r = 0; r < env_.world_size; ++r) flags[0].push_back(torch::empty_like(flag[0]));
  group_->run(env_, "weight consistency check", [&] { group_->pg->allgather(flags, flag)->wait(); });
  std::string differ;
  for (int r = 0; r < env_.world_size; ++r)
    if (flags[0][static_cast<size_t>(r)].item<float>() > 0) differ += (differ.empty() ? "" : ", ") + std::to_string(r);
  if (!differ.empty())
    throw RuntimeError("distributed: the weights of rank " + differ + " differ from rank 0's: the replicas diverged");
  spdlog::info("distributed: parameters and buffers identical on all {} ranks", env_.world_size);
}

ValidationResult Distributed::reduce_validation(const ValidationResult& local, int64_t test_images) {
  if (!active()) return local;
  const auto m = static_cast<int64_t>(local.image_counts.size());
  torch::Tensor rows = torch::empty({m, 6}, torch::kFloat64);
  auto a = rows.accessor<double, 2>();
  for (int64_t j = 0; j < m; ++j) {
    const ConfusionCounts& c = local.image_counts[static_cast<size_t>(j)];
    const double row[6] = {double(c.tp), double(c.fp), double(c.fn), double(c.tn), double(c.ignored),
                           local.image_losses[static_cast<size_t>(j)]};
    for (int k = 0; k < 6; ++k) a[j][k] = row[k];
  }
  std::vector<torch::Tensor> input{rows.to(group_->device)};
  std::vector<std::vector<torch::Tensor>> output(1);
  for (int r = 0; r < env_.world_size; ++r) output[0].push_back(torch::empty_like(input[0]));
  group_->run(env_, "gathering of the validation results",
              [&] { group_->pg->allgather(output, input)->wait(); });

  // The loader dealt test position p to rank p % world as its (p / world)-th image; positions >= test_images
  // are the wrap-around padding that gives every rank the same count.
  ValidationResult r;
  double loss_sum = 0;
  std::vector<torch::Tensor> gathered;
  for (const auto& t : output[0]) gathered.push_back(t.to(torch::kCPU));
  for (int64_t j = 0; j < m; ++j)
    for (int rank = 0; rank < env_.world_size; ++rank) {
      if (j * env_.world_size + rank >= test_images) continue;
      const auto g = gathered[static_cast<size_t>(rank)].accessor<double, 2>();
      ConfusionCounts c;
      c.tp = static_cast<int64_t>(g[j][0]);
      c.fp = static_cast<int64_t>(g[j][1]);
      c.fn = static_cast<int64_t>(g[j][2]);
      c.tn = static_cast<int64_t>(g[j][3]);
      c.ignored = static_cast<int64_t>(g[j][4]);
      r.accumulator.add(c);
      r.image_counts.push_back(c);
      r.image_losses.push_back(g[j][5]);
      loss_sum += g[j][5];
    }
  r.loss = r.image_losses.empty() ? 0.0 : loss_sum / static_cast<double>(r.image_losses.size());
  r.metrics = r.accumulator.result();
  return r;
}

void Distributed::barrier(const std::string& what) {
  if (!active()) return;
  group_->run(env_, what, [&] { group_->pg->barrier()->wait(); });
}

double Distributed::take_sync_seconds() {
  const double s = sync_seconds_;
  sync_seconds_ = 0;
  return s;
}

double Distributed::take_batch_norm_sync_seconds() {
  if (!group_) return 0;
  const double s = group_->batch_norm_seconds;
  group_->batch_norm_seconds = 0;
  return s;
}

}  // namespace pseg
