// BufferArena (core/onnx_exec/buffer_arena.h): 64-byte aligned buffers that do not overlap and keep what is written
// in them, small ones sharing a block, one larger than a block in a block of its own; a moved arena keeps them.
// (Under AddressSanitizer, poisoned bytes after each buffer make the sanitizer report a write past it.)
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "core/onnx_exec/buffer_arena.h"

using namespace pseg;

TEST_CASE("buffer arena: aligned, disjoint buffers that keep their bytes", "[core][buffer_arena]") {
  BufferArena arena;
  CHECK(arena.blocks() == 0);
  struct Span {
    unsigned char* p;
    size_t n;
  };
  std::vector<Span> spans;
  for (size_t n : {size_t{1}, size_t{63}, size_t{64}, size_t{65}, size_t{4096}, size_t{3} << 20, size_t{0}})
    spans.push_back({static_cast<unsigned char*>(arena.allocate(n)), n});
  CHECK(arena.blocks() == 1);  // 3 MB and a few bytes: one 32 MB block
  for (size_t i = 0; i < spans.size(); ++i) {
    INFO("buffer " << i);
    CHECK(reinterpret_cast<uintptr_t>(spans[i].p) % 64 == 0);
    std::memset(spans[i].p, static_cast<int>(i + 1), spans[i].n);
  }
  for (size_t i = 0; i < spans.size(); ++i)
    for (size_t k = 0; k < spans[i].n; k += 997) CHECK(spans[i].p[k] == i + 1);  // no later buffer wrote over it
  for (size_t i = 0; i + 1 < spans.size(); ++i) CHECK(spans[i].p + spans[i].n <= spans[i + 1].p);

  auto* big = static_cast<unsigned char*>(arena.allocate(size_t{40} << 20));  // larger than a block
  CHECK(arena.blocks() == 2);
  big[0] = 1, big[(size_t{40} << 20) - 1] = 2;
  auto* next = static_cast<unsigned char*>(arena.allocate(size_t{20} << 20));  // fits no block's rest: a new one
  CHECK(arena.blocks() == 3);
  next[(size_t{20} << 20) - 1] = 3;

  BufferArena moved(std::move(arena));
  CHECK(moved.blocks() == 3);
  CHECK(arena.blocks() == 0);
  CHECK(spans[5].p[0] == 6);
  CHECK(big[(size_t{40} << 20) - 1] == 2);
}
