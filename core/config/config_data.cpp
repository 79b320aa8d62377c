// Parses the `data` section into DataConfig: per-format keys, types and values, errors naming the key path.
#include <set>

#include "core/common/registry.h"
#include "core/config/config.h"
#include "data/format_reader.h"
#include "data/mask_rule.h"

namespace pseg {
namespace {

SourceConfig parse_source(const JsonReader& r) {
  SourceConfig s;
  s.format = r.get_string("format");
  const FormatEntry* format = format_registry().find(s.format);
  if (!format) r.fail("format", "unknown format \"" + s.format + "\" (known: " + join_names(format_registry().names()) + ")");
  std::set<std::string> allowed = format->keys;
  allowed.insert({"format", "weight"});
  r.allow_only(allowed);

  if (s.format == "folders") {
    s.images = r.get_string("images");
    s.masks = r.get_string("masks");
  } else {
    s.root = r.get_string("root");
  }
  if (s.format == "list") s.list = r.get_string("list");
  else if (allowed.count("list")) s.list = r.get_string("list", std::string());
  if (allowed.count("mask_rule")) {
    s.mask_rule = r.get_string("mask_rule", std::string());
    if (!s.mask_rule.empty()) {
      try {
        parse_mask_rule(s.mask_rule);
      } catch (const std::invalid_argument& e) {
        r.fail("mask_rule", e.what());
      }
    }
  }
  if (allowed.count("layout")) s.layout = r.get_choice("layout", {"portraitnet", "sinet"}, s.layout);
  if (allowed.count("alpha_threshold")) {
    s.alpha_threshold = static_cast<int>(r.get_int("alpha_threshold", s.alpha_threshold));
    if (s.alpha_threshold < 1 || s.alpha_threshold > 255) r.fail("alpha_threshold", "expected an integer in 1..255");
  }
  if (allowed.count("soft")) s.soft = r.get_bool("soft", s.soft);
  if (allowed.count("class")) {
    const int64_t c = r.get_int("class", s.class_id);
    if (c < 0 || c > 254) r.fail("class", "expected a VOC class index in 0..254, got " + std::to_string(c));
    s.class_id = static_cast<int>(c);
  }
  s.weight = r.get_number("weight", s.weight);
  if (!(s.weight > 0)) r.fail("weight", "expected a number > 0");
  return s;
}

std::vector<SourceConfig> parse_sources(const JsonReader& data, const std::string& key) {
  std::vector<SourceConfig> out;
  if (!data.has(key)) return out;
  for (const auto& r : data.array_of_objects(key)) out.push_back(parse_source(r));
  return out;
}

}  // namespace

DataConfig parse_data_config(const JsonReader& r) {
  r.allow_only({"train", "test", "split", "on_error"});
  DataConfig d;
  d.train = parse_sources(r, "train");
  d.test = parse_sources(r, "test");
  if (d.train.empty() && d.test.empty()) r.fail("train", "expected at least one train or test source");
  if (r.has("split")) {
    const JsonReader s = r.object("split");
    s.allow_only({"test_fraction", "seed"});
    d.split.test_fraction = s.get_number("test_fraction", d.split.test_fraction);
    if (!(d.split.test_fraction >= 0 && d.split.test_fraction < 1)) s.fail("test_fraction", "expected a number in [0, 1)");
    const int64_t seed = s.get_int("seed", 0);
    if (seed < 0) s.fail("seed", "expected a non-negative integer");
    d.split.seed = static_cast<uint64_t>(seed);
  }
  d.on_error = r.get_choice("on_error", {"strict", "skip"}, "strict") == "skip" ? OnError::Skip : OnError::Strict;
  return d;
}

}  // namespace pseg
