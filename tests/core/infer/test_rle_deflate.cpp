// rle_deflate_zlib (core/infer/rle_deflate.h) against two independent inflaters, libdeflate's and zlib's (through
// libpng in test_png_encode): every stream inflates back to its input, with and without runs, from empty input to
// a megabyte, for data with no runs, only runs, runs of every length around the format's limits, and symbol counts
// skewed enough that plain Huffman codes would be longer than deflate's 15 bits; and streams byte for byte those of
// the first, byte-by-byte coder, so that a faster search for runs finds the same ones.
#include <catch2/catch.hpp>
#include <libdeflate.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "core/infer/rle_deflate.h"

using namespace pseg;

namespace {

using Bytes = std::vector<unsigned char>;

Bytes inflate(const Bytes& z, size_t size) {
  std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)> d(libdeflate_alloc_decompressor(),
                                                                                 libdeflate_free_decompressor);
  Bytes out(size + 1);  // one spare byte: a stream that inflates to more than `size` fails
  size_t got = 0;
  const libdeflate_result r = libdeflate_zlib_decompress(d.get(), z.data(), z.size(), out.data(), out.size(), &got);
  REQUIRE(r == LIBDEFLATE_SUCCESS);
  out.resize(got);
  return out;
}

void check_round_trip(const Bytes& data) {
  for (const bool runs : {true, false}) {
    INFO((runs ? "with runs, " : "literals only, ") << data.size() << " bytes");
    const Bytes z = rle_deflate_zlib(data.data(), data.size(), runs);
    REQUIRE(z.size() >= 6);
    CHECK(z[0] == 0x78);
    CHECK((z[0] * 256 + z[1]) % 31 == 0);
    CHECK(inflate(z, data.size()) == data);
  }
}

}  // namespace

TEST_CASE("rle_deflate_zlib: small inputs inflate back", "[core][rle_deflate]") {
  check_round_trip({});
  check_round_trip({42});
  check_round_trip({0, 0});
  check_round_trip({5, 5, 5, 5});
  check_round_trip({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
}

TEST_CASE("rle_deflate_zlib: runs of every length around the limits inflate back", "[core][rle_deflate]") {
  Bytes data;
  std::mt19937 rng(7);
  for (int len = 1; len <= 600; ++len) data.insert(data.end(), static_cast<size_t>(len), static_cast<unsigned char>(rng()));
  check_round_trip(data);
  // Long runs cost a few bits per 258 bytes.
  const Bytes zeros(1 << 20, 0);
  check_round_trip(zeros);
  CHECK(rle_deflate_zlib(zeros.data(), zeros.size()).size() < 2000);
}

TEST_CASE("rle_deflate_zlib: short runs at every alignment and size inflate back", "[core][rle_deflate]") {
  // Bytes from two to five values: runs of one to a few bytes everywhere, across the eight-byte windows the run
  // search reads and in the last bytes it checks one at a time.
  std::mt19937 rng(5);
  for (size_t size = 0; size <= 300; ++size) {
    Bytes data(size);
    const unsigned values = 2 + size % 4;
    for (auto& b : data) b = static_cast<unsigned char>(rng() % values);
    check_round_trip(data);
  }
}

TEST_CASE("rle_deflate_zlib: a run is found wherever it starts", "[core][rle_deflate]") {
  // 64 bytes none of which repeats the one before, with `extra` copies of one of them inserted after it. Found where
  // it starts, the run leaves the same symbols (64 literals, one length, the end of the block) wherever it lies, so
  // every stream is as long as the first; found late, it would leave literals of the repeated byte before it.
  for (const size_t extra : {3, 40, 10000}) {
    size_t first = 0;
    for (size_t at = 1; at <= 64; ++at) {
      INFO(extra << " copies after byte " << at);
      Bytes data;
      for (int k = 0; k < 64; ++k) data.push_back(static_cast<unsigned char>(k));
      data.insert(data.begin() + static_cast<std::ptrdiff_t>(at), extra, data[at - 1]);
      check_round_trip(data);
      const size_t size = rle_deflate_zlib(data.data(), data.size(), true).size();
      if (at == 1) first = size;
      CHECK(size == first);
      // A long run costs a few bits per 258 bytes, where its literals would take at least a bit each.
      if (extra == 10000) CHECK(10 * size < rle_deflate_zlib(data.data(), data.size(), false).size());
    }
  }
}

TEST_CASE("rle_deflate_zlib: streams are byte for byte those of the first coder", "[core][rle_deflate]") {
  // The coder that scanned byte by byte wrote these streams (lengths and CRC-32s recorded from it); a faster
  // search must find the same runs, so the same bytes.
  Bytes short_runs(50000);  // four values: runs of every short length
  std::mt19937 rng(21);
  for (auto& b : short_runs) b = static_cast<unsigned char>(rng() % 4);
  Bytes soft_mask;  // SUB-filtered rows of a soft edge: zeros, a ramp's steps repeating a few times, zeros
  for (int row = 0; row < 200; ++row) {
    soft_mask.push_back(1);
    const int edge = 200 + row % 50, width = 30 + row % 17;
    int before = 0;
    for (int x = 0; x < 600; ++x) {
      const int v = std::min(255, std::max(0, (x - edge) * 255 / width));
      soft_mask.push_back(static_cast<unsigned char>(v - before));
      before = v;
    }
  }
  Bytes long_runs;  // runs of 1 to 600 equal bytes
  std::mt19937 rng2(7);
  for (int len = 1; len <= 600; ++len)
    long_runs.insert(long_runs.end(), static_cast<size_t>(len), static_cast<unsigned char>(rng2()));
  struct Golden {
    const Bytes* data;
    bool runs;
    size_t size;
    uint32_t crc;
  };
  const Golden golden[] = {{&short_runs, true, 13918, 0x83dff61b}, {&short_runs, false, 14069, 0xa99e3832},
                           {&soft_mask, true, 3039, 0x32d8fd19},   {&soft_mask, false, 17136, 0xbea2ef4c},
                           {&long_runs, true, 1726, 0x571a7286},   {&long_runs, false, 172022, 0xca84ef89}};
  for (const Golden& g : golden) {
    INFO(g.data->size() << " bytes, " << (g.runs ? "with runs" : "literals only"));
    const Bytes z = rle_deflate_zlib(g.data->data(), g.data->size(), g.runs);
    CHECK(z.size() == g.size);
    CHECK(libdeflate_crc32(0, z.data(), z.size()) == g.crc);
    CHECK(inflate(z, g.data->size()) == *g.data);
  }
}

TEST_CASE("rle_deflate_zlib: noise and mask-like data inflate back", "[core][rle_deflate]") {
  std::mt19937 rng(11);
  Bytes noise(100003);
  for (auto& b : noise) b = static_cast<unsigned char>(rng());
  check_round_trip(noise);
  // Noise takes about a byte per byte: its codes are all 8 bits long.
  CHECK(rle_deflate_zlib(noise.data(), noise.size()).size() < noise.size() + noise.size() / 50);

  Bytes mask;  // rows of 0 and 255 with graded edges between, as a PNG's SUB filter leaves a soft mask
  for (int row = 0; row < 300; ++row) {
    const int edge = 100 + row % 37;
    for (int x = 0; x < 512; ++x) mask.push_back(static_cast<unsigned char>(x < edge ? 0 : x < edge + 9 ? 28 : 0));
  }
  check_round_trip(mask);
  CHECK(rle_deflate_zlib(mask.data(), mask.size()).size() < mask.size() / 20);
}

TEST_CASE("rle_deflate_zlib: skewed counts keep codes within 15 bits", "[core][rle_deflate]") {
  // Symbol k appears fib(k) times: an unlimited Huffman code would be 24 bits deep. Interleaved, so that most of
  // the data is literals (the commonest symbols end in runs).
  std::vector<uint64_t> count{1, 1};
  while (count.size() < 25) count.push_back(count[count.size() - 1] + count[count.size() - 2]);
  Bytes data;
  std::vector<uint64_t> left = count;
  for (bool more = true; more;) {
    more = false;
    for (size_t k = 0; k < left.size(); ++k)
      if (left[k] > 0) data.push_back(static_cast<unsigned char>(2 * k)), --left[k], more = true;
  }
  REQUIRE(data.size() > 100000);
  check_round_trip(data);
}
