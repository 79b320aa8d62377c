// Every extension point is a registry and the registry is the only list: an entry registered here, in the test
// alone, is accepted by the config parser and factories and named in "known: ..." errors and help texts.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "core/config/config.h"
#include "core/import/importer_registry.h"
#include "core/infer/engine_registry.h"
#include "core/optim/optim.h"
#include "core/optim/optim_registry.h"
#include "core/optim/schedule.h"
#include "core/optim/schedule_registry.h"
#include "data/format_reader.h"
#include "losses/composite_loss.h"
#include "losses/loss_registry.h"
#include "nets/registry.h"

using namespace pseg;
using json = nlohmann::json;

namespace {

// The error message of parsing `j`, or "" when it parses.
std::string parse_error(const json& j) {
  try {
    parse_config(j);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("registries: a net registered in a test is buildable and listed", "[core][registry]") {
  NetEntry e = *net_registry().find("prisma_net");
  e.name = "test_only_net";
  net_registry().add(e);
  CHECK_THROWS_WITH(net_registry().add(e), Catch::Contains("already registered"));
  CHECK_THAT(join_names(net_registry().names()), Catch::EndsWith("deeplab_v3, test_only_net"));  // help texts
  CHECK_THAT(parse_error({{"model", {{"net", "nope"}}}}), Catch::Contains("known:") && Catch::Contains("test_only_net"));
  const Config c = parse_config({{"model", {{"net", "test_only_net"}}}});
  CHECK(create_net(c.model)->parameter_count() > 0);
}

TEST_CASE("registries: a dataset format registered in a test is parsed with its own keys", "[core][registry]") {
  FormatEntry e = *format_registry().find("list");
  e.name = "test_only_format";
  e.keys = {"root", "list", "test_key"};
  format_registry().add(e);
  const json bad = {{"model", {{"net", "prisma_net"}}}, {"data", {{"test", {{{"format", "nope"}, {"root", "x"}}}}}}};
  CHECK_THAT(parse_error(bad), Catch::Contains("known:") && Catch::Contains("test_only_format"));
  const json good = {{"model", {{"net", "prisma_net"}}},
                     {"data", {{"test", {{{"format", "test_only_format"}, {"root", "x"}, {"test_key", 1}}}}}}};
  CHECK(parse_error(good).empty());
}

TEST_CASE("registries: a loss term registered in a test is weighed by the custom recipe", "[core][registry]") {
  loss_term_registry().add({"test_only_term", "a constant 7", LossTermEntry::Target::Mask,
                      [](int64_t) { return std::string(); },
                      [](const torch::Tensor&, const LossInputs&, const LossConfig&) { return torch::tensor(7.0); }});
  const json bad = {{"model", {{"net", "prisma_net"}}}, {"loss", {{"recipe", "custom"}, {"terms", {{{"kind", "nope"}}}}}}};
  CHECK_THAT(parse_error(bad), Catch::Contains("test_only_term"));
  const Config c = parse_config({{"model", {{"net", "prisma_net"}}},
                                 {"loss", {{"recipe", "custom"}, {"terms", {{{"kind", "test_only_term"}, {"weight", 0.5}}}}}}});
  LossInputs in;
  in.logits = torch::zeros({1, 1, 4, 4});
  in.label = torch::zeros({1, 4, 4}, torch::kLong);
  const LossResult r = CompositeLoss(c.loss)(in);
  CHECK(r.total.item<double>() == Approx(3.5));
  REQUIRE(r.terms.size() == 1);
  CHECK(r.terms[0].first == "test_only_term");
}

TEST_CASE("registries: an optimiser registered in a test is parsed and built", "[core][registry]") {
  OptimizerEntry e = *optimizer_registry().find("sgd");
  e.name = "test_only_optim";
  optimizer_registry().add(e);
  const json bad = {{"model", {{"net", "prisma_net"}}}, {"optim", {{"name", "nope"}}}};
  CHECK_THAT(parse_error(bad), Catch::Contains("test_only_optim"));
  const Config c = parse_config({{"model", {{"net", "prisma_net"}}}, {"optim", {{"name", "test_only_optim"}, {"momentum", 0.5}}}});
  CHECK(c.optim.momentum == 0.5);
  auto w = torch::zeros({2}, torch::requires_grad());
  CHECK(make_optimizer(c.optim, {w}) != nullptr);

  // Entries never move: what find() returned stays valid however many entries are added later.
  const OptimizerEntry* kept = optimizer_registry().find("test_only_optim");
  for (int i = 0; i < 100; ++i) {
    OptimizerEntry more = e;
    more.name = "test_only_optim_" + std::to_string(i);
    optimizer_registry().add(more);
  }
  CHECK(kept == optimizer_registry().find("test_only_optim"));
  CHECK(kept->name == "test_only_optim");
}

TEST_CASE("registries: a schedule registered in a test sets the learning rate", "[core][registry]") {
  schedule_registry().add({"test_only_schedule", "half the rate", {"test_key"},
                           [](const JsonReader& r, ScheduleConfig&) { (void)r.get_int("test_key", 0); },
                           [](const ScheduleConfig&, double) {},
                           [](const ScheduleConfig&, double lr, int64_t, int64_t, const ScheduleState&) { return lr / 2; },
                           {}});
  const json bad = {{"model", {{"net", "prisma_net"}}}, {"schedule", {{"kind", "nope"}}}};
  CHECK_THAT(parse_error(bad), Catch::Contains("test_only_schedule"));
  const Config c = parse_config({{"model", {{"net", "prisma_net"}}}, {"optim", {{"lr", 0.1}}},
                                 {"schedule", {{"kind", "test_only_schedule"}, {"test_key", 1}}}});
  CHECK(LrSchedule(c.schedule, c.optim.lr, 10).lr_for_epoch(3) == Approx(0.05));
}

TEST_CASE("registries: an inference engine registered in a test opens its files and is listed", "[core][registry]") {
  engine_registry().add({"test_only_engine", "opens nothing", ".testnet", "", false,
                         [](const std::string& path, const PredictorOptions&) -> std::unique_ptr<Predictor> {
                           throw std::runtime_error(path + ": opened by test_only_engine");
                         }});
  CHECK_THAT(engine_list(), Catch::Contains("test_only_engine (.testnet)"));
  CHECK(engine_for_file("model.TESTNET").name == "test_only_engine");
  CHECK_THROWS_WITH(engine_for_file("model.xyz"), Catch::Contains(".testnet (test_only_engine)"));
}

TEST_CASE("registries: a weight importer registered in a test is chosen by extension and listed", "[core][registry]") {
  importer_registry().add({"test_only_importer", "reads nothing", {".testw"},
                           [](const std::string&, SegNetImpl&) { return ImportStats{}; }});
  CHECK(importer_for_file("w.testw").name == "test_only_importer");
  CHECK_THAT(importer_list(), Catch::Contains("test_only_importer (.testw)"));
  CHECK_THROWS_WITH(importer_for_file("w.xyz"), Catch::Contains("known:") && Catch::Contains("test_only_importer"));
}
