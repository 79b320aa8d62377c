#include "portraitseg/config.h"

#include "core/api/config_access.h"
#include "core/api/guarded.h"

namespace portraitseg {
struct Config::Impl {
  pseg::Config typed;
};

Config::Config(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Config Config::load(const std::string& path, const std::vector<std::string>& overrides) {
  return detail::guarded([&] { return Config(std::make_shared<Impl>(Impl{pseg::load_config(path, overrides)})); });
}

Config Config::parse(const std::string& json, const std::string& source) {
  return detail::guarded([&] {
    return Config(std::make_shared<Impl>(Impl{pseg::parse_named_config(pseg::parse_json_text(json, source), source)}));
  });
}

Config& Config::set(const std::string& assignment) {
  detail::guarded([&] {
    nlohmann::json j = impl_->typed.resolved;
    pseg::apply_override(j, assignment);
    impl_ = std::make_shared<Impl>(Impl{pseg::parse_named_config(j, impl_->typed.source)});
  });
  return *this;
}

std::string Config::json() const { return impl_->typed.resolved.dump(2); }
std::string Config::net() const { return impl_->typed.model.net; }
std::string Config::source() const { return impl_->typed.source; }

const pseg::Config& ConfigAccess::typed(const Config& config) { return config.impl_->typed; }

}  // namespace portraitseg
