#pragma once
// Buffers that live as long as their owner, carved one after another out of large blocks that ask the kernel for
// transparent huge pages (madvise): a compiled net's packed weights and its block of activations
// (core/onnx_exec/buffer_plan.h). The activations are first written by its first run: before they were planned, for
// PortraitNet at 224 in 4 kB pages that was 12 000 page faults and a first run of 38-43 ms against 14-30 ms in
// 2 MB pages (170 faults); the steady runs, spared TLB misses, were about 3 % faster on one thread
// (docs/performance.md).
#include <cstddef>
#include <vector>

namespace pseg {

class BufferArena {
 public:
  BufferArena() = default;
  BufferArena(const BufferArena&) = delete;
  BufferArena& operator=(const BufferArena&) = delete;
  BufferArena(BufferArena&& other) noexcept;
  BufferArena& operator=(BufferArena&& other) noexcept;
  ~BufferArena();

  // `bytes` (at least 1) aligned to 64 bytes, valid until the arena is destroyed; not zeroed. Throws
  // std::bad_alloc when the system has no memory to map. Under AddressSanitizer the bytes after it are poisoned.
  void* allocate(size_t bytes);

  size_t blocks() const { return blocks_.size(); }

 private:
  struct Block {
    void* mapping = nullptr;  // what munmap takes back
    size_t mapped = 0;
    char* begin = nullptr;  // 2 MB-aligned start of the usable part
    size_t size = 0;
    size_t used = 0;
  };
  void release();
  std::vector<Block> blocks_;
};

}  // namespace pseg
