// BatchLoader: determinism across worker counts, per-epoch shuffle, drop_last, sharding, errors, shutdown.
#include <torch/torch.h>

#include <set>
#include <stdexcept>

#include "data/loader.h"
#include "tests/test_support.h"

using namespace pseg;

namespace {

// In-memory samples with random content; index `bad` fails to load like an unreadable file.
class MemorySource : public SampleSource {
 public:
  explicit MemorySource(size_t n, size_t bad = SIZE_MAX) : n_(n), bad_(bad) {}
  size_t size() const override { return n_; }
  Sample load(size_t i) const override {
    if (i == bad_) throw std::runtime_error(id(i) + ": cannot decode image");
    Sample s;
    s.image = cv::Mat(30, 40, CV_8UC3);
    s.label = cv::Mat(30, 40, CV_8UC1);
    cv::RNG rng(static_cast<uint64_t>(i) + 1);
    rng.fill(s.image, cv::RNG::UNIFORM, 0, 256);
    rng.fill(s.label, cv::RNG::UNIFORM, 0, 2);
    s.id = id(i);
    return s;
  }
  std::string id(size_t i) const override { return "mem/" + std::to_string(i) + ".jpg"; }

 private:
  size_t n_, bad_;
};

std::shared_ptr<const ExamplePipeline> pipeline() {
  AugmentConfig a;
  a.recipe = AugmentRecipe::PortraitNet;
  a.texture_view = a.boundary = a.majority_filter = true;
  InputFormat f;
  f.channels = 4;
  f.height = f.width = 32;
  return std::make_shared<const ExamplePipeline>(a, f, PipelineMode::Train);
}

std::vector<Batch> epoch(BatchLoader& l, uint64_t e) {
  l.start_epoch(e);
  std::vector<Batch> out;
  while (auto b = l.next()) out.push_back(std::move(*b));
  return out;
}

std::vector<std::string> ids(const std::vector<Batch>& bs) {
  std::vector<std::string> out;
  for (const auto& b : bs) out.insert(out.end(), b.ids.begin(), b.ids.end());
  return out;
}

}  // namespace

TEST_CASE("same batches for 0, 1 and 2 workers") {
  auto source = std::make_shared<MemorySource>(13);
  std::vector<std::vector<Batch>> runs;
  for (const int w : {0, 1, 2}) {
    LoaderOptions o;
    o.batch_size = 4;
    o.workers = w;
    o.prefetch = 2;
    o.seed = 42;
    BatchLoader l(source, pipeline(), o);
    runs.push_back(epoch(l, 3));
  }
  for (size_t r = 1; r < runs.size(); ++r) {
    REQUIRE(runs[r].size() == runs[0].size());
    for (size_t i = 0; i < runs[0].size(); ++i) {
      CHECK(runs[r][i].ids == runs[0][i].ids);
      CHECK(torch::equal(runs[r][i].input, runs[0][i].input));
      CHECK(torch::equal(runs[r][i].input_texture, runs[0][i].input_texture));
      CHECK(torch::equal(runs[r][i].label, runs[0][i].label));
      CHECK(torch::equal(runs[r][i].boundary, runs[0][i].boundary));
    }
  }
}

TEST_CASE("shuffle differs per epoch and is reproducible") {
  auto source = std::make_shared<MemorySource>(20);
  LoaderOptions o;
  o.batch_size = 5;
  o.workers = 2;
  BatchLoader l(source, pipeline(), o);
  const auto e0 = ids(epoch(l, 0)), e1 = ids(epoch(l, 1)), e0_again = ids(epoch(l, 0));
  CHECK(e0 != e1);
  CHECK(e0 == e0_again);
  CHECK(std::set<std::string>(e0.begin(), e0.end()).size() == 20);
  o.shuffle = false;
  BatchLoader ordered(source, pipeline(), o);
  CHECK(ids(epoch(ordered, 5)).front() == "mem/0.jpg");
}

TEST_CASE("drop_last drops the incomplete batch") {
  auto source = std::make_shared<MemorySource>(23);
  LoaderOptions o;
  o.batch_size = 5;
  o.workers = 1;
  BatchLoader dropped(source, pipeline(), o);
  CHECK(dropped.batches_per_epoch() == 4);
  CHECK(epoch(dropped, 0).size() == 4);
  o.drop_last = false;
  BatchLoader kept(source, pipeline(), o);
  const auto bs = epoch(kept, 0);
  REQUIRE(bs.size() == 5);
  CHECK(bs.back().ids.size() == 3);
  CHECK(bs.back().input.size(0) == 3);
}

TEST_CASE("sharding by rank gives disjoint shards of equal size") {
  for (const bool drop_last : {true, false}) {
    std::set<size_t> seen;
    size_t total = 0;
    for (int rank = 0; rank < 3; ++rank) {
      LoaderOptions o;
      o.drop_last = drop_last;
      o.rank = rank;
      o.world_size = 3;
      o.seed = 9;
      const auto shard = epoch_indices(23, o, 4);
      CHECK(shard.size() == (drop_last ? 7u : 8u));
      total += shard.size();
      seen.insert(shard.begin(), shard.end());
    }
    if (drop_last) CHECK(seen.size() == total);  // disjoint
    else CHECK(seen.size() == 23);               // wrap-around repeats one sample to even out
  }
  LoaderOptions bad;
  bad.rank = 2;
  bad.world_size = 2;
  CHECK_THROWS_AS(BatchLoader(std::make_shared<MemorySource>(4), pipeline(), bad), std::invalid_argument);
}

TEST_CASE("start_epoch can skip batches when resuming") {
  auto source = std::make_shared<MemorySource>(12);
  LoaderOptions o;
  o.batch_size = 3;
  o.workers = 2;
  BatchLoader l(source, pipeline(), o);
  const auto all = epoch(l, 2);
  l.start_epoch(2, 2);
  std::vector<Batch> rest;
  while (auto b = l.next()) rest.push_back(std::move(*b));
  REQUIRE(rest.size() == 2);
  CHECK(rest[0].ids == all[2].ids);
}

TEST_CASE("a failing sample surfaces as an exception naming the file") {
  auto source = std::make_shared<MemorySource>(10, 6);
  for (const int w : {0, 2}) {
    LoaderOptions o;
    o.batch_size = 2;
    o.workers = w;
    o.shuffle = false;
    BatchLoader l(source, pipeline(), o);
    l.start_epoch(0);
    CHECK(l.next());
    CHECK(l.next());
    CHECK(l.next());
    CHECK_THROWS_WITH(l.next(), Catch::Contains("mem/6.jpg"));
  }
}

TEST_CASE("destroying a loader mid-epoch does not hang") {
  auto source = std::make_shared<MemorySource>(40);
  LoaderOptions o;
  o.batch_size = 2;
  o.workers = 2;
  o.prefetch = 3;
  for (int i = 0; i < 5; ++i) {
    BatchLoader l(source, pipeline(), o);
    l.start_epoch(static_cast<uint64_t>(i));
    CHECK(l.next());
  }
}
