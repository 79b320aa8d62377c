#include "portraitseg/config.h"

#include "core/api/config_access.h"
#include "core/api/guarded.h"
#include "core/common/errors.h"

namespace portraitseg {
namespace {

// Parsed and validated; errors name the source as load_config's do.
pseg::Config typed_config(const nlohmann::json& j, const std::string& source) {
  try {
    return pseg::parse_config(j, source);
  } catch (const pseg::ConfigError& e) {
    throw pseg::ConfigError(source + ": " + e.what());
  }
}

}  // namespace

struct Config::Impl {
  pseg::Config typed;
};

Config::Config(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Config Config::load(const std::string& path, const std::vector<std::string>& overrides) {
  return detail::guarded([&] { return Config(std::make_shared<Impl>(Impl{pseg::load_config(path, overrides)})); });
}

Config Config::parse(const std::string& json, const std::string& source) {
  return detail::guarded([&] {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
    } catch (const nlohmann::json::parse_error& e) {
      throw pseg::ConfigError(source + ": invalid JSON at byte " + std::to_string(e.byte));
    }
    return Config(std::make_shared<Impl>(Impl{typed_config(j, source)}));
  });
}

Config& Config::set(const std::string& assignment) {
  detail::guarded([&] {
    nlohmann::json j = impl_->typed.resolved;
    pseg::apply_override(j, assignment);
    impl_ = std::make_shared<Impl>(Impl{typed_config(j, impl_->typed.source)});
  });
  return *this;
}

std::string Config::json() const { return impl_->typed.resolved.dump(2); }
std::string Config::net() const { return impl_->typed.model.net; }
std::string Config::source() const { return impl_->typed.source; }

const pseg::Config& ConfigAccess::typed(const Config& config) { return config.impl_->typed; }

}  // namespace portraitseg
