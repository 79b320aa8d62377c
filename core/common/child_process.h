#pragma once
// Runs work that calls a library unsafe on hostile input in a forked child process, so that a crash or a memory
// error there becomes a clean error here and cannot corrupt this process (docs/testing.md: libhdf5 overflows a
// heap buffer on a malformed Keras file).
#include <functional>
#include <string>

namespace pseg {

// Forks; the child runs `work` and sends back the bytes it returns. Returns those bytes. An exception in the child
// is rethrown here as std::runtime_error with its message; a child that dies otherwise (signal, sanitizer report,
// exit) throws std::runtime_error "<what>: <failure>". `work` must not need other threads of this process (the
// child has only the calling one) and should not touch state the parent relies on.
std::string run_in_child(const std::function<std::string()>& work, const std::string& what, const std::string& failure);

}  // namespace pseg
