#include "core/onnx_exec/buffer_arena.h"

#include <sys/mman.h>

#include <cstdint>
#include <new>
#include <utility>

#if defined(__SANITIZE_ADDRESS__)
#define PSEG_ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PSEG_ARENA_ASAN 1
#endif
#endif
#ifdef PSEG_ARENA_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace pseg {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kBlock = size_t{32} << 20;  // most nets' activations fit in one or two
constexpr size_t kAlign = 64;
#ifdef PSEG_ARENA_ASAN
// Under AddressSanitizer each buffer is followed by poisoned bytes, so that a kernel reading or writing past its
// buffer is reported as it would be between separate allocations.
constexpr size_t kRedZone = 64;
#else
constexpr size_t kRedZone = 0;
#endif

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

}  // namespace

BufferArena::BufferArena(BufferArena&& other) noexcept : blocks_(std::exchange(other.blocks_, {})) {}

BufferArena& BufferArena::operator=(BufferArena&& other) noexcept {
  if (this != &other) {
    release();
    blocks_ = std::exchange(other.blocks_, {});
  }
  return *this;
}

BufferArena::~BufferArena() { release(); }

void BufferArena::release() {
  for (const Block& b : blocks_) {
#ifdef PSEG_ARENA_ASAN
    ASAN_UNPOISON_MEMORY_REGION(b.begin, b.size);  // the addresses may be mapped again for something else
#endif
    munmap(b.mapping, b.mapped);
  }
  blocks_.clear();
}

void* BufferArena::allocate(size_t asked) {
  const size_t bytes = round_up((asked > 0 ? asked : 1) + kRedZone, kAlign);
  if (blocks_.empty() || blocks_.back().size - blocks_.back().used < bytes) {
    Block b;
    b.size = round_up(bytes > kBlock ? bytes : kBlock, kHugePage);
    b.mapped = b.size + kHugePage;  // room to align the start to a huge page
    b.mapping = mmap(nullptr, b.mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (b.mapping == MAP_FAILED) throw std::bad_alloc();
    b.begin = reinterpret_cast<char*>(round_up(reinterpret_cast<uintptr_t>(b.mapping), kHugePage));
#ifdef MADV_HUGEPAGE
    madvise(b.begin, b.size, MADV_HUGEPAGE);  // a hint: without huge pages the block works in small ones
#endif
    try {
      blocks_.push_back(b);
    } catch (...) {
      munmap(b.mapping, b.mapped);
      throw;
    }
  }
  Block& b = blocks_.back();
  char* p = b.begin + b.used;
  b.used += bytes;
#ifdef PSEG_ARENA_ASAN
  ASAN_POISON_MEMORY_REGION(p + asked, bytes - asked);
#endif
  return p;
}

}  // namespace pseg
