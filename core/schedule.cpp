#include "core/schedule.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace pseg {

LrSchedule::LrSchedule(ScheduleConfig config, double base_lr, int64_t total_epochs)
    : config_(std::move(config)),
      base_lr_(base_lr),
      total_epochs_(total_epochs),
      plateau_lr_(base_lr),
      best_(std::numeric_limits<double>::infinity()) {
  const auto& c = config_;
  auto fail = [](const std::string& key, const std::string& msg) {
    throw std::invalid_argument("schedule." + key + ": " + msg);
  };
  if (c.kind != "constant" && c.kind != "step" && c.kind != "plateau" && c.kind != "cosine")
    fail("kind", "expected \"constant\", \"step\", \"plateau\" or \"cosine\", got \"" + c.kind + "\"");
  if (base_lr <= 0) throw std::invalid_argument("optim.lr: must be > 0");
  if (total_epochs < 1) throw std::invalid_argument("train.epochs: must be >= 1");
  if (c.every_epochs < 1) fail("every_epochs", "must be >= 1");
  if (c.gamma <= 0) fail("gamma", "must be > 0");
  if (c.factor <= 0 || c.factor >= 1) fail("factor", "must be in (0, 1)");
  if (c.patience < 0) fail("patience", "must be >= 0");
  if (c.cooldown < 0) fail("cooldown", "must be >= 0");
  if (c.min_delta < 0) fail("min_delta", "must be >= 0");
  if (c.min_lr < 0) fail("min_lr", "must be >= 0");
  if (c.kind == "cosine" && c.min_lr > base_lr) fail("min_lr", "must not exceed optim.lr");
  if (c.warmup_epochs < 0) fail("warmup_epochs", "must be >= 0");
  if (c.warmup_start_factor <= 0 || c.warmup_start_factor > 1) fail("warmup_start_factor", "must be in (0, 1]");
}

double LrSchedule::warmup_factor(int64_t epoch) const {
  const auto& c = config_;
  if (epoch >= c.warmup_epochs) return 1.0;
  return c.warmup_start_factor + (1.0 - c.warmup_start_factor) * static_cast<double>(epoch) / c.warmup_epochs;
}

double LrSchedule::lr_for_epoch(int64_t epoch) const {
  const auto& c = config_;
  double lr = base_lr_;
  if (c.kind == "step") {
    lr = base_lr_ * std::pow(c.gamma, static_cast<double>(epoch / c.every_epochs));
  } else if (c.kind == "plateau") {
    lr = plateau_lr_;
  } else if (c.kind == "cosine") {
    const double span = static_cast<double>(total_epochs_ - 1);
    const double t = span > 0 ? std::min(1.0, static_cast<double>(epoch) / span) : 0.0;
    lr = c.min_lr + (base_lr_ - c.min_lr) * 0.5 * (1.0 + std::cos(std::acos(-1.0) * t));
  }
  return lr * warmup_factor(epoch);
}

void LrSchedule::on_validation(double current) {
  if (config_.kind != "plateau") return;
  const auto& c = config_;
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    wait_ = 0;
  }
  if (current < best_ - c.min_delta) {
    best_ = current;
    wait_ = 0;
  } else if (cooldown_counter_ == 0) {
    ++wait_;
    if (wait_ >= c.patience && plateau_lr_ > c.min_lr) {
      plateau_lr_ = std::max(plateau_lr_ * c.factor, c.min_lr);
      cooldown_counter_ = c.cooldown;
      wait_ = 0;
    }
  }
}

nlohmann::json LrSchedule::state() const {
  // JSON has no infinity: an unset best is stored as null.
  return {{"kind", config_.kind},
          {"lr", plateau_lr_},
          {"best", std::isfinite(best_) ? nlohmann::json(best_) : nlohmann::json()},
          {"wait", wait_},
          {"cooldown_counter", cooldown_counter_}};
}

void LrSchedule::load_state(const nlohmann::json& s) {
  try {
    const auto kind = s.at("kind").get<std::string>();
    if (kind != config_.kind)
      throw std::runtime_error("scheduler state is for schedule.kind \"" + kind + "\", the config has \"" +
                               config_.kind + "\"");
    plateau_lr_ = s.at("lr").get<double>();
    best_ = s.at("best").is_null() ? std::numeric_limits<double>::infinity() : s.at("best").get<double>();
    wait_ = s.at("wait").get<int64_t>();
    cooldown_counter_ = s.at("cooldown_counter").get<int64_t>();
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("scheduler state: ") + e.what());
  }
}

}  // namespace pseg

