#pragma once
// core/api: the public C++ API (core/api/portraitseg/*.h, installed as include/portraitseg/) over the jobs.
// Every public function runs its body through `guarded`, so that whatever the libraries throw leaves the library as
// the documented portraitseg::ConfigError or portraitseg::RuntimeError, with the one-line message the CLI prints.
#include <utility>

namespace portraitseg::detail {

// Rethrows the exception being handled as ConfigError or RuntimeError; call it only inside a catch block.
[[noreturn]] void rethrow_as_public_error();

template <typename Body>
decltype(auto) guarded(Body&& body) {
  try {
    return std::forward<Body>(body)();
  } catch (...) {
    rethrow_as_public_error();
  }
}

}  // namespace portraitseg::detail
