#include "core/infer/rle_deflate.h"

#include <libdeflate.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <queue>
#include <stdexcept>
#include <utility>

namespace pseg {
namespace {

constexpr int kMinRun = 3, kMaxRun = 258;
constexpr int kLitLenSymbols = 286, kEndOfBlock = 256, kFirstLength = 257;
constexpr int kMaxCodeBits = 15, kMaxCodeLengthBits = 7;

// The length symbol and extra bits of each match length (RFC 1951, 3.2.5).
struct LengthCode {
  uint16_t symbol = 0;
  uint8_t extra_bits = 0;
  uint8_t extra = 0;
};

const std::array<LengthCode, kMaxRun + 1>& length_codes() {
  static const std::array<LengthCode, kMaxRun + 1> table = [] {
    constexpr int base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                              31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
    constexpr int bits[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    std::array<LengthCode, kMaxRun + 1> t{};
    for (int s = 0; s < 29; ++s) {
      // 258 has a symbol of its own (285), so 284 stops at 257.
      const int last = s == 28 ? 258 : s == 27 ? 257 : base[s] + (1 << bits[s]) - 1;
      for (int len = base[s]; len <= last; ++len)
        t[len] = {static_cast<uint16_t>(kFirstLength + s), static_cast<uint8_t>(bits[s]),
                  static_cast<uint8_t>(len - base[s])};
    }
    return t;
  }();
  return table;
}

int extra_bits_of(int symbol) {
  if (symbol < kFirstLength + 8 || symbol == kLitLenSymbols - 1) return 0;
  return (symbol - kFirstLength - 4) / 4;
}

uint64_t load_word(const unsigned char* p) {
  uint64_t word;
  std::memcpy(&word, p, 8);
  return word;
}

// 0x80 in each byte of x that is zero, 0 in every other byte (exact, unlike the borrow trick, which may also mark
// bytes above the first zero one).
uint64_t zero_bytes(uint64_t x) {
  constexpr uint64_t low7 = 0x7F7F7F7F7F7F7F7Full;
  return ~(((x & low7) + low7) | x | low7);
}

// Where in memory order the first non-zero byte of a non-zero word lies.
size_t first_nonzero_byte(uint64_t x) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  return static_cast<size_t>(__builtin_clzll(x) >> 3);
#else
  return static_cast<size_t>(__builtin_ctzll(x) >> 3);
#endif
}

// How many bytes from p on, at most `limit`, equal v; eight at a time.
size_t run_length(const unsigned char* p, size_t limit, unsigned char v) {
  const uint64_t pattern = 0x0101010101010101ull * v;
  size_t n = 0;
  for (; n + 8 <= limit; n += 8)
    if (const uint64_t diff = load_word(p + n) ^ pattern) return n + first_nonzero_byte(diff);
  while (n < limit && p[n] == v) ++n;
  return n;
}

// Calls run(at, length) for each run of the data in order: a byte repeating the one before it at least kMinRun
// times, coded as one match at distance 1. Eight positions at a time: a run starts where a byte and the two after it
// each equal the byte before them, so three word comparisons find the first start among eight positions without a
// branch per byte. A soft mask's rows, which after the SUB filter repeat a byte once or twice every few bytes, took
// twice as long scanned byte by byte (docs/performance.md).
template <class Run>
void for_each_run(const unsigned char* data, size_t size, Run&& run) {
  static_assert(kMinRun == 3, "a run start is three equal-to-previous bytes in a row");
  for (size_t i = 1; i < size;) {
    if (i + 10 <= size) {  // the words at i - 1, i, i + 1 and i + 2
      const uint64_t before = load_word(data + i - 1), at = load_word(data + i), next = load_word(data + i + 1),
                     after = load_word(data + i + 2);
      const uint64_t starts = zero_bytes(at ^ before) & zero_bytes(next ^ at) & zero_bytes(after ^ next);
      if (starts == 0) {
        i += 8;
        continue;
      }
      i += first_nonzero_byte(starts);
    } else if (i + kMinRun > size || data[i] != data[i - 1] || data[i + 1] != data[i] || data[i + 2] != data[i]) {
      ++i;
      continue;
    }
    const size_t n = run_length(data + i, std::min<size_t>(kMaxRun, size - i), data[i - 1]);
    run(i, n);
    i += n;
  }
}

// The data as stretches of literals, literals(begin, end), and runs, run(length), in order; with `runs` false, all
// literals. Walked twice, to count the symbols and then to write them, rather than keeping the runs (a mask can
// have one for every four bytes).
template <class Literals, class Run>
void for_each_token_span(const unsigned char* data, size_t size, bool runs, Literals&& literals, Run&& run) {
  size_t done = 0;
  if (runs) {
    for_each_run(data, size, [&](size_t at, size_t length) {
      literals(done, at);
      run(length);
      done = at + length;
    });
  }
  literals(done, size);
}

// Huffman code lengths of at most `max_bits` for `freq` (0 for an unused symbol). Too long a code is avoided by
// halving the counts and building again: fine for the few hundred symbols here.
std::vector<uint8_t> huffman_lengths(std::vector<uint64_t> freq, int max_bits) {
  const int n = static_cast<int>(freq.size());
  for (;;) {
    using Node = std::pair<uint64_t, int>;  // weight, node (leaves are the symbols, then the joins in order)
    std::priority_queue<Node, std::vector<Node>, std::greater<>> heap;
    for (int s = 0; s < n; ++s)
      if (freq[s] > 0) heap.emplace(freq[s], s);
    std::vector<uint8_t> lengths(n, 0);
    if (heap.size() == 1) {
      lengths[heap.top().second] = 1;
      return lengths;
    }
    std::vector<int> parent(2 * n, -1);
    int next = n;
    while (heap.size() > 1) {
      const Node a = heap.top();
      heap.pop();
      const Node b = heap.top();
      heap.pop();
      parent[a.second] = parent[b.second] = next;
      heap.emplace(a.first + b.first, next++);
    }
    // A join comes after its children, so walking down from the root sees each parent first.
    std::vector<int> depth(next, 0);
    for (int v = next - 2; v >= 0; --v)
      if (parent[v] >= 0) depth[v] = depth[parent[v]] + 1;
    int longest = 0;
    for (int s = 0; s < n; ++s)
      if (freq[s] > 0) longest = std::max(longest, depth[s]), lengths[s] = static_cast<uint8_t>(depth[s]);
    if (longest <= max_bits) return lengths;
    for (auto& f : freq)
      if (f > 0) f = (f >> 1) | 1;
  }
}

// The canonical codes of `lengths` (RFC 1951, 3.2.2), bit-reversed: deflate sends a code's first bit first.
std::vector<uint16_t> canonical_codes(const std::vector<uint8_t>& lengths) {
  int count[kMaxCodeBits + 1] = {}, next[kMaxCodeBits + 1] = {};
  for (uint8_t l : lengths) ++count[l];
  count[0] = 0;
  for (int bits = 1, code = 0; bits <= kMaxCodeBits; ++bits) next[bits] = code = (code + count[bits - 1]) << 1;
  std::vector<uint16_t> codes(lengths.size(), 0);
  for (size_t s = 0; s < lengths.size(); ++s) {
    const int l = lengths[s];
    if (l == 0) continue;
    unsigned code = static_cast<unsigned>(next[l]++), reversed = 0;
    for (int b = 0; b < l; ++b, code >>= 1) reversed = (reversed << 1) | (code & 1);
    codes[s] = static_cast<uint16_t>(reversed);
  }
  return codes;
}

// Bits first-in at the low end, as deflate packs them.
class BitWriter {
 public:
  explicit BitWriter(unsigned char* out) : out_(out) {}
  void put(uint32_t bits, int count) {
    buffer_ |= static_cast<uint64_t>(bits) << count_;
    count_ += count;
    if (count_ >= 32) {
      const uint32_t low = static_cast<uint32_t>(buffer_);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
      for (int i = 0; i < 4; ++i) out_[i] = static_cast<unsigned char>(low >> (8 * i));
#else
      std::memcpy(out_, &low, 4);
#endif
      out_ += 4;
      buffer_ >>= 32;
      count_ -= 32;
    }
  }
  unsigned char* flush() {
    for (; count_ > 0; count_ -= 8, buffer_ >>= 8) *out_++ = static_cast<unsigned char>(buffer_);
    count_ = 0;
    return out_;
  }

 private:
  unsigned char* out_;
  uint64_t buffer_ = 0;
  int count_ = 0;
};

struct CodeLengthToken {
  uint8_t symbol, extra;  // 0..15 a length; 16 the previous length 3-6 times, 17 3-10 zeros, 18 11-138 zeros
};

std::vector<CodeLengthToken> run_length_code(const std::vector<uint8_t>& lengths) {
  std::vector<CodeLengthToken> out;
  for (size_t i = 0; i < lengths.size();) {
    const uint8_t l = lengths[i];
    size_t run = 1;
    while (i + run < lengths.size() && lengths[i + run] == l) ++run;
    i += run;
    if (l == 0) {
      for (; run >= 11; run -= std::min<size_t>(run, 138))
        out.push_back({18, static_cast<uint8_t>(std::min<size_t>(run, 138) - 11)});
      if (run >= 3) out.push_back({17, static_cast<uint8_t>(run - 3)}), run = 0;
    } else {
      out.push_back({l, 0});
      for (--run; run >= 3; run -= std::min<size_t>(run, 6))
        out.push_back({16, static_cast<uint8_t>(std::min<size_t>(run, 6) - 3)});
    }
    for (; run > 0; --run) out.push_back({l, 0});
  }
  return out;
}

constexpr int kCodeLengthExtraBits[19] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7};
constexpr int kCodeLengthOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

// The codes of one block fitted to its data, and the block's exact size in bits.
struct BlockPlan {
  std::vector<uint8_t> lit_lengths, cl_lengths;
  std::vector<uint16_t> lit_codes, cl_codes;
  std::vector<CodeLengthToken> cl_tokens;  // the literal/length and distance code lengths, run-length coded
  int lit_count = 0, cl_count = 0;         // code lengths sent
  uint64_t bits = 0;
};

BlockPlan plan_block(const unsigned char* data, size_t size, bool runs_wanted) {
  const auto& length_of = length_codes();
  std::vector<uint64_t> freq(kLitLenSymbols, 0);
  // Literals counted in four tables, so that a repeated byte does not wait for its own count's last increment.
  std::vector<uint64_t> counts(4 * 256, 0);
  uint64_t* c0 = counts.data();
  uint64_t *c1 = c0 + 256, *c2 = c0 + 512, *c3 = c0 + 768;
  uint64_t runs = 0;
  for_each_token_span(
      data, size, runs_wanted,
      [&](size_t i, size_t end) {
        for (; i + 4 <= end; i += 4) ++c0[data[i]], ++c1[data[i + 1]], ++c2[data[i + 2]], ++c3[data[i + 3]];
        for (; i < end; ++i) ++c0[data[i]];
      },
      [&](size_t length) { ++freq[length_of[length].symbol], ++runs; });
  for (int b = 0; b < 256; ++b) freq[b] = c0[b] + c1[b] + c2[b] + c3[b];
  freq[kEndOfBlock] = 1;
  BlockPlan p;
  p.lit_lengths = huffman_lengths(freq, kMaxCodeBits);
  p.lit_codes = canonical_codes(p.lit_lengths);
  p.lit_count = kLitLenSymbols;
  while (p.lit_count > kFirstLength && p.lit_lengths[p.lit_count - 1] == 0) --p.lit_count;
  // One distance, 1, with a one-bit code (the single code RFC 1951 allows to be incomplete).
  std::vector<uint8_t> sent(p.lit_lengths.begin(), p.lit_lengths.begin() + p.lit_count);
  sent.push_back(1);
  p.cl_tokens = run_length_code(sent);
  std::vector<uint64_t> cl_freq(19, 0);
  for (const auto& t : p.cl_tokens) ++cl_freq[t.symbol];
  // A complete code needs two symbols; an unused second one costs nothing.
  if (std::count_if(cl_freq.begin(), cl_freq.end(), [](uint64_t f) { return f > 0; }) < 2)
    ++cl_freq[cl_freq[0] > 0 ? 1 : 0];
  p.cl_lengths = huffman_lengths(cl_freq, kMaxCodeLengthBits);
  p.cl_codes = canonical_codes(p.cl_lengths);
  p.cl_count = 19;
  while (p.cl_count > 4 && p.cl_lengths[kCodeLengthOrder[p.cl_count - 1]] == 0) --p.cl_count;

  p.bits = 3 + 5 + 5 + 4 + 3 * static_cast<uint64_t>(p.cl_count) + runs;
  for (const auto& t : p.cl_tokens) p.bits += p.cl_lengths[t.symbol] + kCodeLengthExtraBits[t.symbol];
  for (int s = 0; s < kLitLenSymbols; ++s) p.bits += freq[s] * (p.lit_lengths[s] + (s > kEndOfBlock ? extra_bits_of(s) : 0));
  return p;
}

// One final block with the plan's codes; returns the end of what it wrote.
unsigned char* write_block(const unsigned char* data, size_t size, bool runs_wanted, const BlockPlan& p,
                           unsigned char* out) {
  const auto& length_of = length_codes();
  BitWriter w(out);
  w.put(1 | (2 << 1), 3);  // final block, dynamic codes
  w.put(static_cast<uint32_t>(p.lit_count - kFirstLength), 5);
  w.put(0, 5);  // one distance code
  w.put(static_cast<uint32_t>(p.cl_count - 4), 4);
  for (int i = 0; i < p.cl_count; ++i) w.put(p.cl_lengths[kCodeLengthOrder[i]], 3);
  for (const auto& t : p.cl_tokens) {
    w.put(p.cl_codes[t.symbol], p.cl_lengths[t.symbol]);
    if (kCodeLengthExtraBits[t.symbol] > 0) w.put(t.extra, kCodeLengthExtraBits[t.symbol]);
  }
  uint32_t code[256];
  int length[256];
  for (int b = 0; b < 256; ++b) code[b] = p.lit_codes[b], length[b] = p.lit_lengths[b];
  for_each_token_span(
      data, size, runs_wanted,
      [&](size_t i, size_t end) {  // two literals per store (two codes of at most 15 bits each)
        for (; i + 2 <= end; i += 2) {
          const unsigned char a = data[i], b = data[i + 1];
          w.put(code[a] | code[b] << length[a], length[a] + length[b]);
        }
        if (i < end) w.put(code[data[i]], length[data[i]]);
      },
      [&](size_t n) {
        const LengthCode& c = length_of[n];
        w.put(p.lit_codes[c.symbol], p.lit_lengths[c.symbol]);
        if (c.extra_bits > 0) w.put(c.extra, c.extra_bits);
        w.put(0, 1);  // distance 1: the one distance code, 0
      });
  w.put(p.lit_codes[kEndOfBlock], p.lit_lengths[kEndOfBlock]);
  return w.flush();
}

}  // namespace

std::vector<unsigned char> rle_deflate_zlib(const unsigned char* data, size_t size, bool runs) {
  const BlockPlan plan = plan_block(data, size, runs);
  // + 8: slack, so that a planning error of a few bytes is caught below rather than written past the end
  std::vector<unsigned char> out(2 + static_cast<size_t>((plan.bits + 7) / 8) + 4 + 8);
  out[0] = 0x78, out[1] = 0x01;  // deflate, 32 kB window, no dictionary; (0x78 * 256 + 0x01) % 31 == 0
  unsigned char* end = write_block(data, size, runs, plan, out.data() + 2);
  if (end != out.data() + 2 + (plan.bits + 7) / 8)  // the plan's count of bits is what sized the buffer
    throw std::logic_error("rle_deflate_zlib: the block's size differs from its plan");
  const uint32_t adler = libdeflate_adler32(1, data, size);
  for (int i = 3; i >= 0; --i) *end++ = static_cast<unsigned char>(adler >> (8 * i));
  out.resize(static_cast<size_t>(end - out.data()));
  return out;
}

}  // namespace pseg
