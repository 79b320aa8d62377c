// SyncBatchNorm2d: unsynchronised it is torch::nn::BatchNorm2d; synchronised over two ranks (threads summing
// through shared memory here; c10d in training) each holding half a batch, it reproduces one module on the whole
// batch: outputs, running statistics, parameter gradients (averaged over ranks, as data-parallel training does)
// and input gradients.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "tests/nets/net_test_util.h"
#include "nets/sync_batch_norm.h"

using namespace pseg;

namespace {

double max_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

// Sums tensors over `ranks` threads: each call blocks until every rank has contributed its tensor.
class ThreadSum {
 public:
  explicit ThreadSum(int ranks) : ranks_(ranks) {}
  torch::Tensor operator()(const torch::Tensor& t) {
    std::unique_lock<std::mutex> lock(mutex_);
    const int64_t round = round_;
    sum_ = arrived_ == 0 ? t.clone() : sum_ + t;
    if (++arrived_ == ranks_) {
      result_ = sum_;
      arrived_ = 0;
      ++round_;
      done_.notify_all();
    } else {
      done_.wait(lock, [&] { return round_ != round; });
    }
    return result_.clone();
  }

 private:
  const int ranks_;
  std::mutex mutex_;
  std::condition_variable done_;
  int arrived_ = 0;
  int64_t round_ = 0;
  torch::Tensor sum_, result_;
};

SyncBatchNorm2d make_bn(int64_t c, c10::optional<double> momentum = 0.1) {
  SyncBatchNorm2d bn(torch::nn::BatchNorm2dOptions(c).eps(1e-5).momentum(momentum));
  torch::NoGradGuard no_grad;
  bn->weight.uniform_(0.5, 1.5);
  bn->bias.uniform_(-0.5, 0.5);
  return bn;
}

// A loss that weighs every output element differently, so the gradients are not trivially zero.
torch::Tensor loss_of(const torch::Tensor& y, const torch::Tensor& w) { return (y * w).square().mean(); }

}  // namespace

TEST_CASE("SyncBatchNorm2d without synchronisation is torch::nn::BatchNorm2d") {
  torch::manual_seed(1);
  for (const auto momentum : {c10::optional<double>(0.1), c10::optional<double>()}) {
    SyncBatchNorm2d ours = make_bn(3, momentum);
    torch::nn::BatchNorm2d theirs(torch::nn::BatchNorm2dOptions(3).eps(1e-5).momentum(momentum));
    {
      torch::NoGradGuard no_grad;
      theirs->weight.copy_(ours->weight);
      theirs->bias.copy_(ours->bias);
    }
    CHECK(ours->named_parameters().keys() == theirs->named_parameters().keys());
    CHECK(ours->named_buffers().keys() == theirs->named_buffers().keys());
    for (int step = 0; step < 3; ++step) {
      const torch::Tensor x = torch::randn({4, 3, 5, 6}) * 2 + 1;
      CHECK(torch::equal(ours(x), theirs(x)));
    }
    CHECK(torch::equal(ours->running_mean, theirs->running_mean));
    CHECK(torch::equal(ours->running_var, theirs->running_var));
    CHECK(ours->num_batches_tracked.item<int64_t>() == 3);
    ours->eval();
    theirs->eval();
    const torch::Tensor x = torch::randn({2, 3, 4, 4});
    CHECK(torch::equal(ours(x), theirs(x)));
  }
  std::ostringstream printed;
  printed << *make_bn(8);
  CHECK(printed.str() == "SyncBatchNorm2d(8, eps=1e-05, momentum=0.1, affine=true, track_running_stats=true)");
}

TEST_CASE("SyncBatchNorm2d over two ranks with half a batch each equals one module on the whole batch") {
  // Contiguous and channels-last activations (train.channels_last): the backward must not mix the layouts.
  const auto format = GENERATE(torch::MemoryFormat::Contiguous, torch::MemoryFormat::ChannelsLast);
  INFO("channels-last " << (format == torch::MemoryFormat::ChannelsLast));
  torch::manual_seed(2);
  const int64_t c = 4;
  SyncBatchNorm2d whole = make_bn(c);
  std::vector<SyncBatchNorm2d> ranks{make_bn(c), make_bn(c)};
  ThreadSum sum(2);
  for (auto& r : ranks) {
    torch::NoGradGuard no_grad;
    r->weight.copy_(whole->weight);
    r->bias.copy_(whole->bias);
    CHECK(synchronise_batch_norm(*r, [&sum](const torch::Tensor& t) { return sum(t); }) == 1);
  }
  CHECK(ranks[0]->synchronised());

  for (int step = 0; step < 3; ++step) {
    // Channel means far from zero and unequal halves: per-rank statistics would differ clearly.
    const torch::Tensor x = (torch::randn({4, c, 5, 3}) * 3 + 10).contiguous(format).requires_grad_();
    const torch::Tensor w = torch::randn({4, c, 5, 3});
    whole->zero_grad();
    const torch::Tensor y = whole(x);
    loss_of(y, w).backward();

    std::vector<torch::Tensor> outputs(2), inputs(2);
    std::vector<std::thread> threads;
    for (int r = 0; r < 2; ++r)
      threads.emplace_back([&, r] {
        torch::Tensor half = x.detach().narrow(0, 2 * r, 2).clone(format).requires_grad_();
        ranks[r]->zero_grad();
        outputs[r] = ranks[r](half);
        loss_of(outputs[r], w.narrow(0, 2 * r, 2)).backward();
        inputs[r] = half;
      });
    for (auto& t : threads) t.join();

    INFO("step " << step);
    CHECK(max_diff(torch::cat({outputs[0], outputs[1]}), y) < 1e-5);
    CHECK(max_diff(ranks[0]->running_mean, whole->running_mean) < 1e-5);
    CHECK(max_diff(ranks[1]->running_var, whole->running_var) < 1e-5);
    CHECK(torch::equal(ranks[0]->running_var, ranks[1]->running_var));
    // Each rank's loss is the mean over its half: the whole batch's loss is the average of the two, so the
    // averaged parameter gradients are the whole batch's, and each input gradient is twice the whole batch's.
    const torch::Tensor weight_grad = (ranks[0]->weight.grad() + ranks[1]->weight.grad()) / 2;
    const torch::Tensor bias_grad = (ranks[0]->bias.grad() + ranks[1]->bias.grad()) / 2;
    CHECK(max_diff(weight_grad, whole->weight.grad()) < 1e-5 * whole->weight.grad().abs().max().item<double>());
    CHECK(max_diff(bias_grad, whole->bias.grad()) < 1e-5 * whole->bias.grad().abs().max().item<double>());
    const torch::Tensor input_grad = torch::cat({inputs[0].grad(), inputs[1].grad()}) / 2;
    CHECK(max_diff(input_grad, x.grad()) < 1e-5 * x.grad().abs().max().item<double>());
    // Control: normalising a half with its own statistics gives clearly different outputs.
    const torch::Tensor own = torch::batch_norm(x.detach().narrow(0, 0, 2), whole->weight, whole->bias, {}, {},
                                                /*training=*/true, 0.1, 1e-5, false);
    CHECK(max_diff(own, y.narrow(0, 0, 2)) > 0.1);
  }
  // Eval mode uses the running statistics and no collective (a sum would block with one rank calling).
  ranks[0]->eval();
  whole->eval();
  const torch::Tensor x = torch::randn({1, c, 3, 3});
  CHECK(max_diff(ranks[0](x), whole(x)) < 1e-5);
}

TEST_CASE("PortraitNet synchronised over two ranks computes the whole batch's gradients and statistics") {
  const ModelConfig m = test::model("portrait_net", {}, 64, 64);
  SegNet whole = test::seeded_net(m, 5);
  std::vector<SegNet> ranks{test::seeded_net(m, 5), test::seeded_net(m, 5)};
  whole->to(torch::kFloat64);
  for (auto& r : ranks) r->to(torch::kFloat64);
  ThreadSum sum(2);
  for (auto& r : ranks) CHECK(synchronise_batch_norm(*r, [&sum](const torch::Tensor& t) { return sum(t); }) > 50);
  torch::manual_seed(6);
  const torch::Tensor x = torch::rand({4, 3, 64, 64}, torch::kFloat64);
  const torch::Tensor w = torch::randn({4, 2, 64, 64}, torch::kFloat64);
  whole->train();
  loss_of(whole->forward(x).mask_logits, w).backward();
  std::vector<std::thread> threads;
  for (int r = 0; r < 2; ++r)
    threads.emplace_back([&, r] {
      ranks[r]->train();
      loss_of(ranks[r]->forward(x.narrow(0, 2 * r, 2)).mask_logits, w.narrow(0, 2 * r, 2)).backward();
    });
  for (auto& t : threads) t.join();

  // Relative to the tensor's largest gradient, with a floor: a convolution bias right before a BatchNorm has a
  // zero gradient up to rounding. In double precision: in single precision the BatchNorm backward passes over
  // 16 values per channel (2x2 maps at 64x64) amplify rounding differences to about 1e-2.
  double largest = 0;
  for (const auto& p : whole->parameters()) largest = std::max(largest, p.grad().abs().max().item<double>());
  auto grads0 = ranks[0]->named_parameters(), grads1 = ranks[1]->named_parameters();
  double worst = 0;
  std::string worst_name;
  for (const auto& p : whole->named_parameters()) {
    const torch::Tensor g = p.value().grad();
    const torch::Tensor avg = (grads0[p.key()].grad() + grads1[p.key()].grad()) / 2;
    const double rel = max_diff(avg, g) / std::max(1e-4 * largest, g.abs().max().item<double>());
    if (rel > worst) worst = rel, worst_name = p.key();
  }
  INFO("worst relative gradient difference " << worst << " in " << worst_name);
  CHECK(worst < 1e-8);
  auto buffers0 = ranks[0]->named_buffers();
  for (const auto& b : whole->named_buffers()) {
    if (!b.value().is_floating_point()) continue;
    INFO(b.key());
    CHECK(max_diff(buffers0[b.key()], b.value()) < 1e-10 * std::max(1.0, b.value().abs().max().item<double>()));
  }
}
