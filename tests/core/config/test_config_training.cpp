// The loss, optim, schedule and train sections: defaults, unknown keys, wrong types, impossible values.
#include <catch2/catch.hpp>

#include "core/config/config.h"

using namespace pseg;

namespace {

Config parse(const std::string& sections, const std::string& source = "") {
  std::string text = R"({"model": {"net": "prisma_net"})";
  if (!sections.empty()) text += ", " + sections;
  return parse_config(nlohmann::json::parse(text + "}"), source);
}

}  // namespace

TEST_CASE("config_training: defaults when the sections are absent", "[core][config]") {
  const auto c = parse("", "configs/prisma_net.json");
  CHECK(c.loss.recipe == "bce");
  CHECK(c.loss.soft_targets);
  CHECK(c.optim.name == "adam");
  CHECK(c.optim.lr == 1e-3);
  CHECK(c.optim.eps == 1e-8);
  CHECK(c.schedule.kind == "constant");
  CHECK(c.train.epochs == 100);
  CHECK(c.train.batch_size == 32);
  CHECK(c.train.device == "cpu");
  CHECK(c.train.run_dir == "runs/prisma_net");
  CHECK(c.train.best_metric == "miou_per_image");
  CHECK(metric_maximised(c.train.best_metric));
  CHECK(c.train.early_stop.patience == 0);
  CHECK(c.train.channels_last);
  CHECK_FALSE(parse(R"("train": {"channels_last": false})").train.channels_last);
  CHECK(parse("").train.run_dir == "runs/run");
}

TEST_CASE("config_training: reference recipes parse", "[core][config]") {
  const auto keras = parse(R"("loss": {"recipe": "bce"}, "optim": {"adam_eps": "keras"},
      "schedule": {"kind": "plateau", "factor": 0.5, "patience": 3, "min_lr": 1e-6},
      "train": {"epochs": 300, "batch_size": 64, "best_metric": "val_loss"})");
  CHECK(keras.optim.eps == 1e-7);
  CHECK(keras.schedule.patience == 3);
  CHECK(keras.schedule.min_lr == 1e-6);
  CHECK_FALSE(metric_maximised(keras.train.best_metric));

  const auto pn = parse(R"("loss": {"recipe": "portraitnet", "boundary": true, "consistency": true},
      "optim": {"lr": 1e-3, "weight_decay": 5e-4, "adam_eps": "torch"},
      "schedule": {"kind": "step", "every_epochs": 20, "gamma": 0.95},
      "train": {"epochs": 2000, "batch_size": 64, "early_stop": {"patience": 50}, "device": "cuda:0"})");
  CHECK(pn.loss.boundary);
  CHECK(pn.loss.consistency);
  CHECK(pn.optim.weight_decay == 5e-4);
  CHECK(pn.schedule.every_epochs == 20);
  CHECK(pn.train.early_stop.patience == 50);
  CHECK(pn.train.device == "cuda:0");

  const auto custom = parse(R"("loss": {"recipe": "custom", "terms": [{"kind": "bce"}, {"kind": "dice", "weight": 0.5}]})");
  REQUIRE(custom.loss.terms.size() == 2);
  CHECK(custom.loss.terms[1].kind == "dice");
  CHECK(custom.loss.terms[1].weight == 0.5);
  CHECK(custom.loss.terms[0].weight == 1.0);
}

TEST_CASE("config_training: unknown keys name their path", "[core][config]") {
  CHECK_THROWS_WITH(parse(R"("train": {"batchsize": 4})"), Catch::Contains("train.batchsize: unknown key"));
  CHECK_THROWS_WITH(parse(R"("loss": {"recipe": "custom", "terms": [{"kind": "ce", "wieght": 1}]})"),
                    Catch::Contains("loss.terms[0].wieght: unknown key"));
  CHECK_THROWS_WITH(parse(R"("schedule": {"kind": "plateau", "every_epochs": 3})"),
                    Catch::Contains("schedule.every_epochs: unknown key"));
  CHECK_THROWS_WITH(parse(R"("optim": {"name": "sgd", "betas": [0.9, 0.99]})"), Catch::Contains("optim.betas"));
  CHECK_THROWS_WITH(parse(R"("train": {"early_stop": {"patients": 3}})"),
                    Catch::Contains("train.early_stop.patients: unknown key"));
}

TEST_CASE("config_training: wrong types and impossible values name their path", "[core][config]") {
  CHECK_THROWS_AS(parse(R"("train": {"epochs": "ten"})"), ConfigError);
  CHECK_THROWS_WITH(parse(R"("train": {"epochs": "ten"})"), Catch::Contains("train.epochs: expected an integer"));
  CHECK_THROWS_WITH(parse(R"("train": {"batch_size": 0})"), Catch::Contains("train.batch_size: must be >= 1"));
  CHECK_THROWS_WITH(parse(R"("train": {"epochs": 0})"), Catch::Contains("train.epochs"));
  CHECK_THROWS_WITH(parse(R"("train": {"device": "gpu"})"), Catch::Contains("train.device"));
  CHECK_THROWS_WITH(parse(R"("train": {"best_metric": "accuracy"})"), Catch::Contains("train.best_metric"));
  CHECK_THROWS_WITH(parse(R"("train": {"channels_last": "yes"})"),
                    Catch::Contains("train.channels_last: expected true or false"));
  CHECK_THROWS_WITH(parse(R"("optim": {"lr": 0})"), Catch::Contains("optim.lr"));
  CHECK_THROWS_WITH(parse(R"("optim": {"eps": 1e-7, "adam_eps": "keras"})"), Catch::Contains("optim.adam_eps"));
  CHECK_THROWS_WITH(parse(R"("optim": {"adam_eps": "tf"})"), Catch::Contains("optim.adam_eps"));
  CHECK_THROWS_WITH(parse(R"("loss": {"recipe": "lovasz"})"), Catch::Contains("loss.recipe"));
  CHECK_THROWS_WITH(parse(R"("loss": {"recipe": "custom", "terms": [{"kind": "kl"}]})"),
                    Catch::Contains("loss.terms[0].kind"));
  CHECK_THROWS_AS(parse(R"("loss": {"recipe": "bce", "consistency": true})"), ConfigError);
  CHECK_THROWS_WITH(parse(R"("schedule": {"kind": "plateau", "factor": 2})"), Catch::Contains("schedule.factor"));
  CHECK_THROWS_WITH(parse(R"("schedule": {"kind": "cosine", "min_lr": 1})"), Catch::Contains("schedule.min_lr"));
  CHECK_THROWS_WITH(parse(R"("loss": [1])"), Catch::Contains("loss: expected an object"));
}
