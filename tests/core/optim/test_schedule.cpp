// Learning-rate schedules: PortraitNet step decay, Keras ReduceLROnPlateau, cosine, warm-up, resume state.
#include <catch2/catch.hpp>
#include <cmath>

#include "core/model_io/checkpoint.h"
#include "core/optim/schedule.h"

using namespace pseg;

namespace {
ScheduleConfig kind(const std::string& k) {
  ScheduleConfig c;
  c.kind = k;
  return c;
}
}  // namespace

TEST_CASE("schedule: step decay is base * 0.95^floor(e / 20)", "[core][schedule]") {
  LrSchedule s(kind("step"), 1e-3, 2000);
  CHECK(s.lr_for_epoch(0) == Approx(1e-3));
  CHECK(s.lr_for_epoch(19) == Approx(1e-3));
  CHECK(s.lr_for_epoch(20) == Approx(0.95e-3));
  CHECK(s.lr_for_epoch(45) == Approx(1e-3 * 0.95 * 0.95));
  CHECK(s.lr_for_epoch(1999) == Approx(1e-3 * std::pow(0.95, 99)));
  s.on_validation(123.0);  // ignored by epoch-based kinds
  CHECK(s.lr_for_epoch(20) == Approx(0.95e-3));
}

TEST_CASE("schedule: plateau follows Keras 2.2.4 (>= patience, absolute min_delta, cooldown, min_lr)",
          "[core][schedule]") {
  ScheduleConfig c = kind("plateau");
  c.factor = 0.5;
  c.patience = 2;
  c.cooldown = 1;
  c.min_lr = 0.3;
  LrSchedule s(c, 1.0, 100);
  // Traced by hand through training.md §3.2:
  //   1.0 best | 1.0 wait 1 | 0.99995 (< min_delta better) wait 2 -> lr 0.5, cooldown 1
  //   1.1 cooldown ends, wait 1 | 1.1 wait 2 -> lr max(0.25, 0.3) = 0.3 | 0.5 best
  //   0.6 wait 1 | 0.6 wait 2, lr already at min_lr | 0.6
  const double values[] = {1.0, 1.0, 0.99995, 1.1, 1.1, 0.5, 0.6, 0.6, 0.6};
  const double lrs[] = {1.0, 1.0, 0.5, 0.5, 0.3, 0.3, 0.3, 0.3, 0.3};
  for (size_t i = 0; i < 9; ++i) {
    s.on_validation(values[i]);
    INFO("after value " << i);
    CHECK(s.lr_for_epoch(static_cast<int64_t>(i) + 1) == Approx(lrs[i]));
  }
}

TEST_CASE("schedule: plateau with patience 1 reduces after one non-improving epoch, cooldown blocks waiting",
          "[core][schedule]") {
  ScheduleConfig c = kind("plateau");
  c.factor = 0.5;
  c.patience = 1;
  c.cooldown = 2;
  LrSchedule s(c, 1.0, 100);
  s.on_validation(1.0);
  CHECK(s.lr_for_epoch(1) == 1.0);
  s.on_validation(1.0);
  CHECK(s.lr_for_epoch(2) == 0.5);
  s.on_validation(2.0);  // cooldown 2 -> 1
  s.on_validation(2.0);  // cooldown 1 -> 0, then counts: wait 1 >= patience
  CHECK(s.lr_for_epoch(4) == 0.25);
}

TEST_CASE("schedule: cosine endpoints and midpoint, constant", "[core][schedule]") {
  ScheduleConfig c = kind("cosine");
  c.min_lr = 1e-5;
  LrSchedule s(c, 1e-3, 11);
  CHECK(s.lr_for_epoch(0) == Approx(1e-3));
  CHECK(s.lr_for_epoch(5) == Approx((1e-3 + 1e-5) / 2));
  CHECK(s.lr_for_epoch(10) == Approx(1e-5));
  CHECK(LrSchedule(kind("constant"), 2e-3, 5).lr_for_epoch(4) == 2e-3);
}

TEST_CASE("schedule: linear warm-up from warmup_start_factor * lr", "[core][schedule]") {
  ScheduleConfig c = kind("step");
  c.warmup_epochs = 4;
  c.warmup_start_factor = 0.2;
  c.every_epochs = 5;
  c.gamma = 0.5;
  LrSchedule s(c, 1.0, 20);
  CHECK(s.lr_for_epoch(0) == Approx(0.2));
  CHECK(s.lr_for_epoch(1) == Approx(0.4));
  CHECK(s.lr_for_epoch(3) == Approx(0.8));
  CHECK(s.lr_for_epoch(4) == Approx(1.0));
  CHECK(s.lr_for_epoch(5) == Approx(0.5));
}

TEST_CASE("schedule: plateau state round-trips so a resumed run continues identically", "[core][schedule]") {
  ScheduleConfig c = kind("plateau");
  c.factor = 0.5;
  c.patience = 2;
  c.cooldown = 1;
  LrSchedule a(c, 1.0, 100);
  LrSchedule fresh(c, 1.0, 100);
  CHECK_FALSE(fresh.state().best.has_value());  // no best yet
  for (double v : {1.0, 0.9, 0.95, 0.95}) a.on_validation(v);
  LrSchedule b(c, 1.0, 100);
  // Through the checkpoint's JSON record, as a resumed run reads it.
  TrainingState saved;
  saved.scheduler = a.state();
  b.load_state(training_state_from_json(nlohmann::json::parse(training_state_to_json(saved).dump())).scheduler);
  CHECK(b.state() == a.state());
  for (double v : {0.95, 0.95, 0.95, 0.7, 0.8, 0.8}) {
    a.on_validation(v);
    b.on_validation(v);
    CHECK(a.lr_for_epoch(0) == b.lr_for_epoch(0));
  }
  CHECK(a.lr_for_epoch(0) < 1.0);

  LrSchedule step(kind("step"), 1.0, 100);
  CHECK_THROWS_WITH(step.load_state(a.state()), Catch::Contains("plateau"));
}

TEST_CASE("schedule: bad settings name the key", "[core][schedule]") {
  ScheduleConfig c = kind("plateau");
  c.factor = 1.5;
  CHECK_THROWS_WITH(LrSchedule(c, 1.0, 10), Catch::Contains("schedule.factor"));
  ScheduleConfig s = kind("step");
  s.every_epochs = 0;
  CHECK_THROWS_WITH(LrSchedule(s, 1.0, 10), Catch::Contains("schedule.every_epochs"));
}
