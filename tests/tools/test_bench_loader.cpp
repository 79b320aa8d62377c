// `portraitseg bench --loader` on a synthetic list dataset.
#include <nlohmann/json.hpp>

#include "tests/test_support.h"

using pseg::test::run_cli;

TEST_CASE("bench --loader reports samples/s per worker count") {
  pseg::test::ScratchDir dir("bench_loader");
  const auto ds = dir / "ds";
  REQUIRE(run_cli("synth --out \"" + ds.string() + "\" --count 10 --size 120x160 --test-fraction 0.2").exit_code == 0);
  const nlohmann::json cfg = {{"model", {{"net", "portrait_net"}}},
                              {"data", {{"train", {{{"format", "list"}, {"root", ds.string()}, {"list", "train.txt"}}}},
                                        {"test", {{{"format", "list"}, {"root", ds.string()}, {"list", "test.txt"}}}}}}};
  pseg::test::write_text(dir / "cfg.json", cfg.dump());
  const auto r = run_cli("bench --loader --config \"" + (dir / "cfg.json").string() +
                         "\" --workers-list 1,2 --runs 1 --samples 8 --json");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out.substr(r.out.find('{')));
  REQUIRE(j["results"].size() == 2);
  CHECK(j["results"][1]["workers"] == 2);
  CHECK(j["results"][0]["samples_per_second"].get<double>() > 0);
  CHECK(run_cli("bench --loader").exit_code == 2);
  CHECK(run_cli("bench --loader --config \"" + (dir / "cfg.json").string() + "\" --workers-list a").exit_code == 2);
}
