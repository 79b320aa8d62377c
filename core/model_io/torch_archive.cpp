#include "core/model_io/torch_archive.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

namespace pseg {
namespace {

using Bytes = std::vector<unsigned char>;

uint64_t le(const Bytes& b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = v << 8 | b[at + static_cast<size_t>(i)];
  return v;
}

struct Archive {
  const std::string& path;
  const std::string& kind;
  const Bytes& bytes;

  [[noreturn]] void fail(const std::string& why) const {
    throw std::runtime_error(path + ": not a " + kind + " (" + why + ")");
  }
  // Reads an n-byte little-endian field at `at`, failing when it lies outside the file.
  uint64_t field(uint64_t at, int n) const {
    if (at > bytes.size() || bytes.size() - at < static_cast<uint64_t>(n)) fail("truncated");
    return le(bytes, static_cast<size_t>(at), n);
  }

  // The end-of-central-directory record: the last one in the final 64 KiB + 22 bytes.
  uint64_t end_of_directory() const {
    if (bytes.size() < 22) fail("too short for a zip file");
    const size_t lowest = bytes.size() > 65557 ? bytes.size() - 65557 : 0;
    for (size_t at = bytes.size() - 22 + 1; at-- > lowest;)
      if (le(bytes, at, 4) == 0x06054b50) return at;
    fail("no zip end-of-central-directory record");
  }

  // Where the central directory starts and how many entries it has (zip64 when the 32-bit fields overflow).
  std::pair<uint64_t, uint64_t> directory() const {
    const uint64_t eocd = end_of_directory();
    uint64_t entries = field(eocd + 10, 2), offset = field(eocd + 16, 4);
    if (entries == 0xFFFF || offset == 0xFFFFFFFF) {
      if (eocd < 20 || field(eocd - 20, 4) != 0x07064b50) fail("no zip64 end-of-central-directory locator");
      const uint64_t z64 = field(eocd - 20 + 8, 8);
      if (field(z64, 4) != 0x06064b50) fail("no zip64 end-of-central-directory record");
      entries = field(z64 + 32, 8);
      offset = field(z64 + 48, 8);
    }
    return {offset, entries};
  }

  // CRC-32 of a stored record's bytes.
  uLong stored_crc(uint64_t data, uint64_t size, uint64_t& produced) const {
    uLong crc = crc32(0L, Z_NULL, 0);
    for (uint64_t done = 0; done < size;) {  // crc32 takes 32-bit lengths
      const auto n = static_cast<uInt>(std::min<uint64_t>(size - done, 1u << 30));
      crc = crc32(crc, bytes.data() + data + done, n);
      done += n;
    }
    produced = size;
    return crc;
  }

  // CRC-32 of a deflated record's content (LibTorch deflates its small code records), inflated in pieces and never
  // past the size the directory declares.
  uLong inflated_crc(const std::string& name, uint64_t data, uint64_t compressed, uint64_t size, uint64_t& produced) const {
    z_stream zs{};
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) fail("zlib cannot start");
    zs.next_in = const_cast<Bytef*>(bytes.data() + data);
    zs.avail_in = static_cast<uInt>(std::min<uint64_t>(compressed, 1u << 30));
    uLong crc = crc32(0L, Z_NULL, 0);
    unsigned char buf[65536];
    int rc = Z_OK;
    produced = 0;
    while (rc == Z_OK && produced <= size) {
      zs.next_out = buf;
      zs.avail_out = sizeof buf;
      rc = inflate(&zs, Z_NO_FLUSH);
      const uInt n = static_cast<uInt>(sizeof buf - zs.avail_out);
      crc = crc32(crc, buf, n);
      produced += n;
      if (rc == Z_BUF_ERROR && n == 0) break;
    }
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) fail("record " + name + " is not valid deflate data: the file is corrupt");
    return crc;
  }

  // Checks one central-directory entry at `at` and its record; returns the next entry's offset.
  uint64_t check_entry(uint64_t at) const {
    if (field(at, 4) != 0x02014b50) fail("corrupt central directory");
    const uint64_t method = field(at + 10, 2), crc = field(at + 16, 4), name_len = field(at + 28, 2),
                   extra_len = field(at + 30, 2), comment_len = field(at + 32, 2);
    uint64_t compressed = field(at + 20, 4), size = field(at + 24, 4), local = field(at + 42, 4);
    if (at + 46 + name_len > bytes.size()) fail("truncated");
    const std::string name(reinterpret_cast<const char*>(bytes.data()) + at + 46, static_cast<size_t>(name_len));
    // zip64 extra field: 8-byte values for the 32-bit fields that are all ones, in this order.
    for (uint64_t e = at + 46 + name_len; e + 4 <= at + 46 + name_len + extra_len;) {
      const uint64_t id = field(e, 2), len = field(e + 2, 2);
      uint64_t v = e + 4;
      if (id == 0x0001) {
        for (uint64_t* f : {&size, &compressed, &local})
          if (*f == 0xFFFFFFFF) *f = field(v, 8), v += 8;
      }
      e += 4 + len;
    }
    if (field(local, 4) != 0x04034b50) fail("record " + name + " has no local header");
    const uint64_t data = local + 30 + field(local + 26, 2) + field(local + 28, 2);
    if (data > bytes.size() || bytes.size() - data < compressed) fail("record " + name + " lies beyond the end of the file");
    if (method != 0 && method != 8) fail("record " + name + " uses an unknown compression method");
    uint64_t produced = 0;
    const uLong actual = method == 0 ? stored_crc(data, compressed, produced)
                                     : inflated_crc(name, data, compressed, size, produced);
    if (produced != size) fail("record " + name + " has inconsistent sizes");
    if (actual != crc) fail("record " + name + " fails its CRC-32 check: the file is corrupt");
    return at + 46 + name_len + extra_len + comment_len;
  }
};

}  // namespace

void check_torch_archive(const std::string& path, const std::string& kind) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read file");
  const Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const Archive archive{path, kind, bytes};
  auto [at, entries] = archive.directory();
  if (entries == 0) archive.fail("no records");
  for (uint64_t i = 0; i < entries; ++i) at = archive.check_entry(at);
}

}  // namespace pseg
