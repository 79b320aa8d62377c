#pragma once
// Options structs with named setters, as in the LibTorch C++ frontend:
//   auto options = portraitseg::SegmenterOptions().threads(2).device("cpu");
//   options.threads();  // 2
#define PORTRAITSEG_ARG(T, name)                                                  \
 public:                                                                          \
  inline auto name(const T& new_##name)->decltype(*this) {                        \
    this->name##_ = new_##name;                                                   \
    return *this;                                                                 \
  }                                                                               \
  inline const T& name() const noexcept { return this->name##_; }                 \
  inline T& name() noexcept { return this->name##_; }                             \
                                                                                  \
 private:                                                                         \
  T name##_
