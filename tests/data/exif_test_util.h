#pragma once
// JPEG bytes with an EXIF orientation, for the tests of photos decoded as shown (data/jpeg_decode.h,
// core/infer/photo_decode.h).
#include <vector>

namespace pseg::test {

// The JPEG with an APP1 Exif segment right after SOI whose one IFD entry says: orientation `value` (6: the stored
// picture is to be turned 90 degrees clockwise).
inline std::vector<unsigned char> with_exif_orientation(const std::vector<unsigned char>& jpeg, unsigned char value) {
  const std::vector<unsigned char> tiff = {'M', 'M', 0, 42, 0, 0, 0, 8,   // big-endian, IFD at 8
                                           0, 1,                          // one entry
                                           0x01, 0x12, 0, 3, 0, 0, 0, 1,  // Orientation, SHORT, count 1
                                           0, value, 0, 0,                // the value, padded
                                           0, 0, 0, 0};                   // no next IFD
  std::vector<unsigned char> app1 = {0xFF, 0xE1, 0, 0, 'E', 'x', 'i', 'f', 0, 0};
  app1.insert(app1.end(), tiff.begin(), tiff.end());
  const size_t length = app1.size() - 2;
  app1[2] = static_cast<unsigned char>(length >> 8);
  app1[3] = static_cast<unsigned char>(length & 0xFF);
  std::vector<unsigned char> out(jpeg.begin(), jpeg.begin() + 2);
  out.insert(out.end(), app1.begin(), app1.end());
  out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
  return out;
}

}  // namespace pseg::test
