#pragma once
// The web page's files (core/serve/web/), compiled into the binary by core/serve/embed_web.cmake so that the
// server needs nothing installed beside it.
#include <cstddef>
#include <string>
#include <vector>

namespace pseg {

struct WebAsset {
  std::string path;          // URL path: "/" for index.html, "/app.js", ...
  std::string content_type;
  const unsigned char* data;
  size_t size;
};

const std::vector<WebAsset>& web_assets();

}  // namespace pseg
