// Parsing the `data` config section: defaults, per-format keys and errors that name the key path.
#include <catch2/catch.hpp>

#include "core/config/config.h"

using namespace pseg;
using nlohmann::json;

namespace {

Config parse_with_data(const json& data) { return parse_config({{"model", {{"net", "prisma_net"}}}, {"data", data}}); }

std::string error_of(const json& data) {
  try {
    parse_with_data(data);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("the issue's data section parses with its values and defaults") {
  const Config c = parse_with_data(json::parse(R"({
    "train": [{"format": "aisegment", "root": "data/aisegment", "weight": 1.0},
              {"format": "folders", "images": "data/extra/images", "masks": "data/extra/masks", "mask_rule": ">0"}],
    "test":  [{"format": "list", "root": "data/synth", "list": "test.txt"}],
    "split": {"test_fraction": 0.2, "seed": 0},
    "on_error": "strict"})"));
  REQUIRE(c.data.train.size() == 2);
  REQUIRE(c.data.test.size() == 1);
  CHECK(c.data.train[0].format == "aisegment");
  CHECK(c.data.train[0].alpha_threshold == 128);
  CHECK_FALSE(c.data.train[0].soft);
  CHECK(c.data.train[1].images == "data/extra/images");
  CHECK(c.data.train[1].mask_rule == ">0");
  CHECK(c.data.test[0].list == "test.txt");
  CHECK(c.data.split.test_fraction == 0.2);
  CHECK(c.data.on_error == OnError::Strict);

  const Config v = parse_with_data({{"train", {{{"format", "voc"}, {"root", "v"}, {"class", 9}}}},
                                    {"on_error", "skip"}, {"split", {{"seed", 3}}}});
  CHECK(v.data.train[0].class_id == 9);
  CHECK(v.data.on_error == OnError::Skip);
  CHECK(v.data.split.seed == 3);
  CHECK(v.data.split.test_fraction == 0.2);
}

TEST_CASE("a config without a data section has no sources") {
  const Config c = parse_config({{"model", {{"net", "prisma_net"}}}});
  CHECK(c.data.train.empty());
  CHECK(c.data.test.empty());
}

TEST_CASE("data section errors name the key path") {
  CHECK(error_of({{"train", {{{"format", "coco"}, {"root", "x"}}}}}) ==
        "data.train[0].format: unknown format \"coco\" (known: aisegment, eg1800, folders, list, supervisely, voc)");
  CHECK_THAT(error_of({{"train", {{{"format", "folders"}, {"images", "i"}, {"masks", "m"}}, {{"format", "folders"}, {"images", "i"}, {"masks", "m"}, {"mask_rule", "foo"}}}}}),
             Catch::StartsWith("data.train[1].mask_rule: expected \">N\"") && Catch::EndsWith("got \"foo\""));
  CHECK_THAT(error_of({{"train", {{{"format", "voc"}, {"root", "x"}, {"alpha_threshold", 3}}}}}),
             Catch::StartsWith("data.train[0].alpha_threshold: unknown key"));
  CHECK_THAT(error_of({{"train", {{{"format", "aisegment"}, {"root", "x"}, {"soft", "yes"}}}}}),
             Catch::StartsWith("data.train[0].soft: expected true or false"));
  CHECK_THAT(error_of({{"train", {{{"format", "eg1800"}, {"root", "x"}, {"layout", "pfcn"}}}}}),
             Catch::StartsWith("data.train[0].layout: expected \"portraitnet\" or \"sinet\""));
  CHECK_THAT(error_of({{"train", {{{"format", "list"}, {"root", "x"}}}}}), Catch::StartsWith("data.train[0].list: missing"));
  CHECK_THAT(error_of({{"train", {{{"format", "folders"}, {"images", "x"}}}}}), Catch::StartsWith("data.train[0].masks: missing"));
  CHECK_THAT(error_of({{"test", {{{"format", "voc"}, {"root", 5}}}}}), Catch::StartsWith("data.test[0].root: expected a string"));
  CHECK_THAT(error_of({{"train", {{{"format", "voc"}, {"root", "x"}, {"weight", 0}}}}}), Catch::StartsWith("data.train[0].weight"));
  CHECK_THAT(error_of({{"train", {{{"format", "voc"}, {"root", "x"}}}}, {"split", {{"test_fraction", 1.5}}}}),
             Catch::StartsWith("data.split.test_fraction"));
  CHECK_THAT(error_of({{"train", {{{"format", "voc"}, {"root", "x"}}}}, {"on_error", "ignore"}}),
             Catch::StartsWith("data.on_error: expected \"strict\" or \"skip\""));
  CHECK_THAT(error_of({{"train", {{{"format", "voc"}, {"root", "x"}}}}, {"shuffle", true}}),
             Catch::StartsWith("data.shuffle: unknown key"));
  CHECK_THAT(error_of(json::object()), Catch::StartsWith("data.train: expected at least one"));
  CHECK_THAT(error_of({{"train", "folders"}}), Catch::StartsWith("data.train: expected an array"));
}
