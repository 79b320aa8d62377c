// `portraitseg serve` end to end: the server runs as a child process on a free loopback port and is exercised over
// HTTP. Its masks and pictures must equal what `portraitseg test` writes for the same photo and model; every error
// path answers the documented status with a JSON error naming the problem; a full queue answers 503, a missed
// deadline 504, and SIGTERM lets the request in flight finish before the server exits 0.
#include <catch2/catch.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstring>
#include <future>
#include <thread>

#include "data/synth.h"
#include "tests/tools/inference_test_util.h"
#include "tests/tools/serve_test_util.h"

using namespace pseg;
using namespace pseg::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Fixture {
  ScratchDir dir{"cli_serve"};
  std::string model;
  std::string photo;       // a 120x96 synthetic portrait (not the net's size or aspect), PNG
  std::string background;  // another one, as a background photo
  Fixture() {
    model = export_untrained(dir, "prisma", {{"net", "prisma_net"}}).string() + ".onnx";
    Rng rng(7);
    photo = (dir / "photo.png").string();
    REQUIRE(cv::imwrite(photo, render_portrait(cv::Size(120, 96), {}, rng).image));
    background = (dir / "background.png").string();
    REQUIRE(cv::imwrite(background, render_portrait(cv::Size(50, 70), {}, rng).image));
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

cv::Mat decode(const std::string& body, int flags = cv::IMREAD_UNCHANGED) {
  return cv::imdecode(std::vector<unsigned char>(body.begin(), body.end()), flags);
}

// What `portraitseg test` writes for the photo (the fixture's by default) with `args`: <stem>_<kind>.png, read
// unchanged.
cv::Mat test_output(const std::string& args, const std::string& kind, std::string photo = "") {
  Fixture& f = fixture();
  if (photo.empty()) photo = f.photo;
  const fs::path out = f.dir / ("test_" + kind + std::to_string(std::hash<std::string>()(args + photo)));
  const auto r = run_cli("test --model " + shell_arg(f.model) + " " + shell_arg(photo) + " --out " +
                         shell_arg(out) + " " + args);
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const cv::Mat m =
      cv::imread((out / (fs::path(photo).stem().string() + "_" + kind + ".png")).string(), cv::IMREAD_UNCHANGED);
  REQUIRE(!m.empty());
  return m;
}

std::string base64_decode(const std::string& text) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned v = 0;
  int bits = 0;
  for (char ch : text) {
    const size_t k = alphabet.find(ch);
    if (k == std::string::npos) break;  // '=' padding
    v = (v << 6) | static_cast<unsigned>(k);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((v >> bits) & 0xFF));
    }
  }
  return out;
}

bool same_pixels(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

// Two BGRA images that look the same: equal alpha, and colours within `tolerance` wherever alpha > 0 (encoders may
// change the colour of fully transparent pixels).
bool same_visible(const cv::Mat& a, const cv::Mat& b, double tolerance) {
  if (a.size() != b.size() || a.type() != CV_8UC4 || b.type() != CV_8UC4) return false;
  std::vector<cv::Mat> pa, pb;
  cv::split(a, pa);
  cv::split(b, pb);
  if (cv::norm(pa[3], pb[3], cv::NORM_INF) != 0) return false;
  const cv::Mat visible = pa[3] > 0;
  for (int c = 0; c < 3; ++c)
    if (cv::norm(pa[c], pb[c], cv::NORM_INF, visible) > tolerance) return false;
  return true;
}

httplib::MultipartFormDataItems form(const std::string& file, httplib::MultipartFormDataItems fields = {}) {
  fields.push_back({"file", read_text(file), fs::path(file).filename().string(), "image/png"});
  return fields;
}

// A JSON error answer: the status, and the message that must name the problem.
std::string error_of(const httplib::Result& r, int status) {
  REQUIRE(r);
  INFO(r->body);
  CHECK(r->status == status);
  CHECK(r->get_header_value("Content-Type") == "application/json");
  const json j = json::parse(r->body);
  CHECK(j.at("status") == status);
  return j.at("error").get<std::string>();
}

// A noisy photo large enough that the server needs a good fraction of a second for it (decode, effects, encode).
std::string slow_photo() {
  Fixture& f = fixture();
  const fs::path path = f.dir / "large.jpg";
  if (!fs::exists(path)) {
    cv::Mat noise(2400, 3200, CV_8UC3);
    cv::randu(noise, 0, 255);
    REQUIRE(cv::imwrite(path.string(), noise, {cv::IMWRITE_JPEG_QUALITY, 95}));
  }
  return path.string();
}

}  // namespace

TEST_CASE("serve: /api/remove and /v1/segment give the masks and pictures of portraitseg test", "[tools][serve]") {
  Fixture& f = fixture();
  ServerProcess server(f.dir, f.model);
  auto c = server.client();

  SECTION("the mask: om=true (rembg), effect=mask, a raw body, and /v1/segment") {
    const cv::Mat expected = test_output("--effect mask", "mask");
    auto r = c.Post("/api/remove?om=true", form(f.photo));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    CHECK(r->get_header_value("Content-Type") == "image/png");
    CHECK(r->get_header_value("Server-Timing").find("inference;dur=") != std::string::npos);
    CHECK(same_pixels(decode(r->body), expected));

    r = c.Post("/api/remove?effect=mask", read_text(f.photo), "image/png");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    CHECK(same_pixels(decode(r->body), expected));

    r = c.Post("/v1/segment?probability=true", form(f.photo));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    const json j = json::parse(r->body);
    CHECK(j.at("width") == 120);
    CHECK(j.at("height") == 96);
    CHECK(j.at("engine") == "onednn");
    CHECK(j.at("timing_ms").at("inference").get<double>() > 0);
    CHECK(same_pixels(decode(base64_decode(j.at("mask").get<std::string>())), expected));
    // The float probability, row-major little-endian float32: the mask is its rounding.
    const std::string raw = base64_decode(j.at("probability").get<std::string>());
    REQUIRE(raw.size() == 120 * 96 * sizeof(float));
    cv::Mat probability(96, 120, CV_32F);
    std::memcpy(probability.data, raw.data(), raw.size());
    cv::Mat rounded;
    probability.convertTo(rounded, CV_8U, 255.0);
    CHECK(same_pixels(rounded, expected));
  }

  SECTION("cut-out, new background (colour, rembg's bgc, a photo) and blur equal test's outputs") {
    auto r = c.Post("/api/remove", form(f.photo));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    CHECK(same_pixels(decode(r->body), test_output("--effect cutout", "cutout")));

    r = c.Post("/api/remove?compression=fast", form(f.photo));  // the fast PNG coder: the same picture
    REQUIRE(r);
    REQUIRE(r->status == 200);
    CHECK(r->get_header_value("Content-Type") == "image/png");
    CHECK(same_pixels(decode(r->body), test_output("--effect cutout", "cutout")));

    r = c.Post("/api/remove?format=webp", form(f.photo));  // lossless WebP for a cut-out: the same picture
    REQUIRE(r);
    CHECK(r->get_header_value("Content-Type") == "image/webp");
    CHECK(same_visible(decode(r->body), test_output("--effect cutout", "cutout"), 0));

    const cv::Mat replaced = test_output("--effect replace --background '#1e90ff'", "replace");
    r = c.Post("/api/remove", form(f.photo, {{"background", "#1E90FF", "", ""}}));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    CHECK(same_pixels(decode(r->body), replaced));
    r = c.Post("/api/remove?bgc=30,144,255,255", form(f.photo));
    REQUIRE(r);
    CHECK(same_pixels(decode(r->body), replaced));

    r = c.Post("/api/remove", form(f.photo, {{"background", read_text(f.background), "bg.png", "image/png"}}));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    CHECK(same_pixels(decode(r->body), test_output("--effect replace --background " + shell_arg(f.background),
                                                   "replace")));

    r = c.Post("/api/remove?effect=blur&threshold=0.4&feather=5", form(f.photo));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    CHECK(same_pixels(decode(r->body), test_output("--effect blur --threshold 0.4 --feather 5", "blur")));

    r = c.Post("/api/remove?effect=blur&format=jpg", form(f.photo));
    REQUIRE(r);
    CHECK(r->get_header_value("Content-Type") == "image/jpeg");
    CHECK(decode(r->body).size() == cv::Size(120, 96));
  }

  SECTION("a JPEG far larger than the net is decoded reduced for the net, as test decodes it") {
    const std::string jpeg = (f.dir / "portrait.jpg").string();
    Rng rng(11);
    REQUIRE(cv::imwrite(jpeg, render_portrait(cv::Size(1100, 820), {}, rng).image));
    auto r = c.Post("/v1/segment", form(jpeg));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    const json j = json::parse(r->body);
    CHECK(j.at("width") == 1100);
    CHECK(j.at("height") == 820);
    const cv::Mat mask = test_output("--effect mask", "mask", jpeg);
    CHECK(same_pixels(decode(base64_decode(j.at("mask").get<std::string>())), mask));
    r = c.Post("/api/remove?om=true", form(jpeg));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    CHECK(same_pixels(decode(r->body), mask));
    CHECK(!same_pixels(mask, test_output("--effect mask --full-decode", "mask", jpeg)));
    r = c.Post("/api/remove", form(jpeg));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    CHECK(same_pixels(decode(r->body), test_output("--effect cutout", "cutout", jpeg)));
  }

  SECTION("a translucent bgc gives RGBA: the person opaque, the background at the colour's opacity") {
    auto r = c.Post("/api/remove?bgc=0,0,0,0&feather=0", form(f.photo));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    // Fully transparent background colour: the cut-out itself (un-premultiplied colour rounds within 1).
    CHECK(same_visible(decode(r->body), test_output("--effect cutout --feather 0", "cutout"), 1));
    r = c.Post("/api/remove?bgc=255,0,0,128", form(f.photo));
    REQUIRE(r);
    const cv::Mat rgba = decode(r->body);
    REQUIRE(rgba.type() == CV_8UC4);
    const cv::Mat cut = test_output("--effect cutout", "cutout");
    std::vector<cv::Mat> a, b;
    cv::split(rgba, a);
    cv::split(cut, b);
    double lo = 0;
    cv::minMaxLoc(a[3], &lo);
    CHECK(lo >= 128);  // nowhere more transparent than the background colour
    cv::Mat opaque = b[3] == 255;
    CHECK(cv::norm(a[3], b[3], cv::NORM_INF, opaque) == 0);
  }
}

TEST_CASE("serve: model, health, metrics, the page and the model file", "[tools][serve]") {
  Fixture& f = fixture();
  ServerProcess server(f.dir, f.model, {"--cors", "*"});
  auto c = server.client();

  auto r = c.Get("/v1/model");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const json model = json::parse(r->body);
  CHECK(model.at("name") == "prisma");
  CHECK(model.at("metadata").at("net") == "prisma_net");
  CHECK(model.at("metadata").at("input").at("height") == 64);
  CHECK(model.at("onnx_available") == true);
  CHECK(model.at("browser_runtime") == false);
  CHECK(r->get_header_value("Access-Control-Allow-Origin") == "*");

  r = c.Get("/healthz");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(json::parse(r->body).at("status") == "ok");

  r = c.Get("/v1/model.onnx");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == read_text(f.model));

  r = c.Get("/");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->get_header_value("Content-Type").rfind("text/html", 0) == 0);
  CHECK(r->body.find("<script src=\"/app.js\">") != std::string::npos);
  r = c.Get("/app.js");
  REQUIRE(r);
  CHECK(r->body.find("/api/remove") != std::string::npos);
  CHECK(error_of(c.Get("/ort/ort.wasm.min.js"), 404).find("/ort/ort.wasm.min.js") != std::string::npos);
  CHECK(error_of(c.Get("/../../etc/passwd"), 404).find("no such route") != std::string::npos);

  r = c.Options("/api/remove");
  REQUIRE(r);
  CHECK(r->status == 204);
  CHECK(r->get_header_value("Access-Control-Allow-Methods").find("POST") != std::string::npos);

  REQUIRE(c.Post("/api/remove", form(f.photo))->status == 200);
  REQUIRE(c.Post("/api/remove?effect=nope", form(f.photo))->status == 400);
  r = c.Get("/metrics");
  REQUIRE(r);
  CHECK(r->status == 200);
  const std::string& m = r->body;
  CHECK(m.find("portraitseg_requests_total{route=\"/api/remove\",status=\"200\"} 1\n") != std::string::npos);
  CHECK(m.find("portraitseg_requests_total{route=\"/api/remove\",status=\"400\"} 1\n") != std::string::npos);
  CHECK(m.find("portraitseg_requests_total{route=\"/v1/model\",status=\"200\"} 1\n") != std::string::npos);
  CHECK(m.find("# TYPE portraitseg_request_duration_seconds histogram") != std::string::npos);
  CHECK(m.find("portraitseg_request_duration_seconds_bucket{le=\"+Inf\"}") != std::string::npos);
  CHECK(m.find("portraitseg_queue_depth 0\n") != std::string::npos);
  CHECK(m.find("portraitseg_queue_capacity 64\n") != std::string::npos);
  CHECK(m.find("portraitseg_requests_in_flight 1\n") != std::string::npos);  // this scrape
  CHECK(m.find("portraitseg_worker_busy_seconds_total ") != std::string::npos);
  CHECK(m.find("process_resident_memory_bytes ") != std::string::npos);

  CHECK(server.stop() == 0);
  // One log line per request: address, method, path, status.
  CHECK(server.log().find("127.0.0.1 GET /v1/model 200") != std::string::npos);
  CHECK(server.log().find("127.0.0.1 POST /api/remove 400") != std::string::npos);
}

TEST_CASE("serve: bad requests get their status and a JSON error naming the problem", "[tools][serve]") {
  Fixture& f = fixture();
  ServerProcess server(f.dir, f.model, {"--max-upload-mb", "0.5", "--max-pixels", "12000"});
  auto c = server.client();

  CHECK(error_of(c.Post("/api/remove", "", "image/png"), 400).find("empty body") != std::string::npos);
  CHECK(error_of(c.Post("/api/remove", "not an image at all", "image/png"), 400) ==
        "file is not a PNG, JPEG, BMP, TIFF or WebP image");
  std::string truncated = read_text(f.photo);
  truncated.resize(truncated.size() / 2);
  CHECK(error_of(c.Post("/api/remove", truncated, "image/png"), 400).find("file") != std::string::npos);
  CHECK(error_of(c.Post("/api/remove", "{\"a\":1}", "application/json"), 415).find("application/json") !=
        std::string::npos);
  CHECK(error_of(c.Post("/api/remove", httplib::MultipartFormDataItems{{"om", "true", "", ""}}), 400)
            .find("\"file\"") != std::string::npos);
  CHECK(error_of(c.Post("/api/remove", std::string(600 * 1024, 'x'), "image/png"), 413).find("limit") !=
        std::string::npos);

  cv::Mat big(130, 100, CV_8UC3, cv::Scalar(1, 2, 3));  // 13000 pixels > --max-pixels 12000
  std::vector<unsigned char> png;
  cv::imencode(".png", big, png);
  const std::string big_error = error_of(c.Post("/api/remove", std::string(png.begin(), png.end()), "image/png"), 422);
  CHECK(big_error.find("100x130") != std::string::npos);
  CHECK(big_error.find("limit") != std::string::npos);
  CHECK(error_of(c.Post("/api/remove", form(f.photo, {{"background", std::string(png.begin(), png.end()), "b.png",
                                                        "image/png"}})),
                 422)
            .find("background is 100x130") != std::string::npos);

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"effect=sepia", "effect=\"sepia\""},   {"format=gif", "format=\"gif\""},
      {"bgc=1,2", "bgc=\"1,2\""},             {"bgc=1,2,300", "bgc=\"1,2,300\""},
      {"threshold=0", "threshold=\"0\""},     {"threshold=abc", "threshold=\"abc\""},
      {"feather=-1", "feather=\"-1\""},       {"om=maybe", "om=\"maybe\""},
      {"model=u2net", "unknown option \"model\""}, {"om=true&effect=blur", "contradicts"},
      {"format=jpg", "format=jpg"},           {"background=%23zzzzzz", "background=\"#zzzzzz\""},
      {"compression=best", "compression=\"best\""}};
  for (const auto& [query, named] : bad) {
    INFO(query);
    CHECK(error_of(c.Post("/api/remove?" + query, form(f.photo)), 400).find(named) != std::string::npos);
  }
  CHECK(error_of(c.Post("/v1/segment?effect=mask", form(f.photo)), 400).find("unknown option \"effect\"") !=
        std::string::npos);
  CHECK(error_of(c.Get("/api/nothing"), 404).find("GET /api/nothing") != std::string::npos);
  // The server is still well after all of that.
  REQUIRE(c.Post("/api/remove?om=true", form(f.photo))->status == 200);
}

TEST_CASE("serve: a full queue answers 503 with Retry-After, a missed deadline 504", "[tools][serve]") {
  Fixture& f = fixture();
  const std::string large = read_text(slow_photo());
  {
    ServerProcess server(f.dir, f.model, {"--workers", "1", "--queue", "1"});
    constexpr int kClients = 8;
    std::vector<std::future<std::pair<int, std::string>>> answers;
    for (int i = 0; i < kClients; ++i) {
      answers.push_back(std::async(std::launch::async, [&] {
        auto c = server.client();
        auto r = c.Post("/api/remove", large, "image/jpeg");
        return r ? std::make_pair(r->status, r->get_header_value("Retry-After")) : std::make_pair(-1, std::string());
      }));
    }
    int ok = 0, busy = 0;
    for (auto& a : answers) {
      const auto [status, retry_after] = a.get();
      if (status == 200) ++ok;
      if (status == 503) {
        ++busy;
        CHECK(retry_after == "1");
      }
    }
    INFO("200: " << ok << ", 503: " << busy);
    CHECK(ok >= 1);
    CHECK(busy >= 1);
    CHECK(ok + busy == kClients);  // nothing else: no error, no dropped connection
  }
  ServerProcess server(f.dir, f.model, {"--timeout-s", "0.02"});
  CHECK(error_of(server.client().Post("/api/remove", large, "image/jpeg"), 504).find("timeout of 0.02 s") !=
        std::string::npos);
}

TEST_CASE("serve: SIGTERM finishes the request in flight, then exits 0", "[tools][serve]") {
  Fixture& f = fixture();
  const std::string large = read_text(slow_photo());
  ServerProcess server(f.dir, f.model);
  auto pending = std::async(std::launch::async, [&] {
    auto c = server.client();
    auto r = c.Post("/api/remove", large, "image/jpeg");
    return r ? r->status : -1;
  });
  // Wait until the request is on a worker (its log line is written when it is answered, so poll the metrics).
  auto probe = server.client();
  for (int i = 0; i < 500; ++i) {
    auto m = probe.Get("/metrics");
    if (m && m->body.find("portraitseg_workers_busy 1\n") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  probe.stop();
  kill(server.pid(), SIGTERM);
  CHECK(pending.get() == 200);
  CHECK(server.wait_exit(60) == 0);
  CHECK(server.log().find("finishing the requests in flight") != std::string::npos);
  httplib::Client after("127.0.0.1", server.port());
  after.set_connection_timeout(2);
  CHECK(!after.Get("/healthz"));  // no longer listening
}

TEST_CASE("serve: bad options exit 2 and a port in use exits 1, each with one clear line", "[tools][serve]") {
  Fixture& f = fixture();
  const std::string m = "serve --model " + shell_arg(f.model);
  const std::vector<std::pair<std::string, std::string>> bad = {
      {" --workers 0", "--workers 0: expected 1..64"},
      {" --port 70000", "--port 70000: expected 0..65535"},
      {" --queue 0", "--queue 0: expected 1..100000"},
      {" --timeout-s -1", "--timeout-s: expected (0, 3600] seconds"},
      {" --max-pixels 0", "--max-pixels: expected 1.."},
      {" --web-runtime /nonexistent-dir", "--web-runtime /nonexistent-dir: not a directory"},
      {" --interpolation nearest", "--interpolation"}};
  for (const auto& [args, message] : bad) {
    const auto r = run_cli(m + args);
    INFO(args << "\n" << r.out);
    CHECK(r.exit_code == 2);
    CHECK(r.out.find(message) != std::string::npos);
  }
  ServerProcess first(f.dir, f.model);
  const auto r = run_cli(m + " --port " + std::to_string(first.port()));
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("error: cannot listen on 127.0.0.1:" + std::to_string(first.port())) != std::string::npos);
}

TEST_CASE("serve: the web page in headless Chromium shows the server's mask and runs the model in the browser",
          "[tools][serve][browser]") {
  const std::string node_dir = source_path("tests/node");
  const std::string runtime = node_dir + "/node_modules/onnxruntime-web/dist";
  if (!fs::exists("/usr/bin/chromium") || !fs::exists(node_dir + "/node_modules/playwright-core") ||
      !fs::exists(runtime)) {
    std::cout << "SKIPPED: chromium, playwright-core or onnxruntime-web is not installed (scripts/setup-deps.sh)\n";
    std::exit(kSkipCode);
  }
  Fixture& f = fixture();
  // A photo at the model's input size: no resizing, so the page and the server see the same net input.
  Rng rng(3);
  const std::string photo = (f.dir / "at_net_size.png").string();
  REQUIRE(cv::imwrite(photo, render_portrait(cv::Size(64, 64), {}, rng).image));
  ServerProcess server(f.dir, f.model, {"--web-runtime", runtime});
  auto r = server.client().Post("/v1/segment?probability=true", form(photo));
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const json j = json::parse(r->body);
  const cv::Mat mask = decode(base64_decode(j.at("mask").get<std::string>()));
  REQUIRE(mask.size() == cv::Size(64, 64));
  std::ofstream(f.dir / "mask.raw", std::ios::binary)
      .write(reinterpret_cast<const char*>(mask.data), static_cast<std::streamsize>(mask.total()));
  write_text(f.dir / "probability.raw", base64_decode(j.at("probability").get<std::string>()));
  const fs::path shots = f.dir / "screenshots";
  fs::create_directories(shots);
  const auto run = run_shell("node " + shell_arg(node_dir + "/serve_browser.js") + " http://127.0.0.1:" +
                             std::to_string(server.port()) + "/ " + shell_arg(photo) + " " +
                             shell_arg(f.dir / "mask.raw") + " " + shell_arg(f.dir / "probability.raw") + " " +
                             shell_arg(shots));
  INFO(run.out);
  if (run.exit_code == kSkipCode) std::exit(kSkipCode);
  REQUIRE(run.exit_code == 0);
  const json result = last_json(run.out);
  CHECK(result.at("mask_differing") == 0);
  CHECK(result.at("probability_max_diff").get<double>() <= 1e-3);
  CHECK(fs::file_size(shots / "page.png") > 10000);
  CHECK(fs::file_size(shots / "page_live.png") > 10000);
  // Keep the screenshots beside the test's output for a person to look at.
  fs::copy_file(shots / "page.png", "serve_page.png", fs::copy_options::overwrite_existing);
  fs::copy_file(shots / "page_live.png", "serve_page_live.png", fs::copy_options::overwrite_existing);
  std::cout << run.out << std::endl;
}
