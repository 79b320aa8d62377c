// The seeded train/test split and the weighted mix of train sources.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "tests/data/fixtures.h"
#include "tests/data/source_test_util.h"
#include "tests/test_support.h"

using namespace pseg;
using namespace pseg::test;

namespace {

SourceConfig folders_source(const ScratchDir& dir, double weight = 1.0) {
  SourceConfig s;
  s.format = "folders";
  s.images = (dir / "images").string();
  s.masks = (dir / "masks").string();
  s.weight = weight;
  return s;
}

std::vector<std::string> ids(const SampleSource& src) {
  std::vector<std::string> v;
  for (size_t i = 0; i < src.size(); ++i) v.push_back(src.id(i));
  return v;
}

}  // namespace

TEST_CASE("seeded split is deterministic, disjoint, complete and not by position") {
  ScratchDir dir("split");
  write_folders(dir.path(), 20);
  DataConfig c;
  c.train = {folders_source(dir)};
  c.split.test_fraction = 0.2;
  c.split.seed = 7;
  const Dataset a = open_dataset(c), b = open_dataset(c);
  REQUIRE(a.test->size() == 4);
  REQUIRE(a.train->size() == 16);
  CHECK(a.report.held_out);
  CHECK(ids(*a.test) == ids(*b.test));
  CHECK(ids(*a.train) == ids(*b.train));

  std::set<std::string> all;
  for (const auto& id : ids(*a.train)) all.insert(id);
  for (const auto& id : ids(*a.test)) CHECK(all.insert(id).second);
  CHECK(all.size() == 20);

  // A split by position would hold out the first or the last four files (ids are in file order).
  std::vector<std::string> files = ids(*a.train), held = ids(*a.test);
  files.insert(files.end(), held.begin(), held.end());
  std::sort(files.begin(), files.end());
  CHECK(held != std::vector<std::string>(files.begin(), files.begin() + 4));
  CHECK(held != std::vector<std::string>(files.end() - 4, files.end()));

  c.split.seed = 8;
  CHECK(ids(*open_dataset(c).test) != ids(*a.test));
}

TEST_CASE("explicit test sources replace the split, test_fraction 0 keeps everything for training") {
  ScratchDir tr("split_train"), te("split_test");
  write_folders(tr.path(), 6);
  write_folders(te.path(), 3);
  DataConfig c;
  c.train = {folders_source(tr)};
  c.test = {folders_source(te)};
  const Dataset d = open_dataset(c);
  CHECK(d.train->size() == 6);
  CHECK(d.test->size() == 3);
  CHECK_FALSE(d.report.held_out);

  c.test.clear();
  c.split.test_fraction = 0;
  const Dataset all = open_dataset(c);
  CHECK(all.train->size() == 6);
  CHECK(all.test->size() == 0);
}

TEST_CASE("too few pairs to hold out a test set is an error naming the source") {
  ScratchDir dir("split_small");
  write_folders(dir.path(), 1);
  DataConfig c;
  c.train = {folders_source(dir)};
  c.split.test_fraction = 0.5;
  CHECK_THROWS_WITH(open_dataset(c), Catch::Contains("data.train[0]") && Catch::Contains("too few"));
}

TEST_CASE("weights repeat or thin out each train source") {
  ScratchDir a("weights_a"), b("weights_b");
  write_folders(a.path(), 4);
  write_folders(b.path(), 6);
  DataConfig c;
  c.split.test_fraction = 0;
  c.train = {folders_source(a, 2.0), folders_source(b, 0.5)};
  const Dataset d = open_dataset(c);
  CHECK(d.report.train.pairs == 10);
  REQUIRE(d.train->size() == 4 * 2 + 3);
  CHECK(d.report.train.samples == 11);
  const auto v = ids(*d.train);
  for (size_t i = 0; i < 8; ++i) CHECK(v[i].find(a.path().string()) == 0);
  CHECK(v[0] == v[4]);
  CHECK(std::set<std::string>(v.begin(), v.begin() + 8).size() == 4);
  CHECK(std::set<std::string>(v.begin() + 8, v.end()).size() == 3);
  for (size_t i = 8; i < v.size(); ++i) CHECK(v[i].find(b.path().string()) == 0);
  CHECK(d.train->load(10).image.size() == cv::Size(kFixtureWidth, kFixtureHeight));
  CHECK_THROWS_AS(d.train->load(11), std::out_of_range);
}
