#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

// Catch returns the number of failed assertions, so a test with exactly 4 failures would exit with the skip code
// (tests/test_support.h, SKIP_RETURN_CODE in tests/CMakeLists.txt) and be reported skipped: any failure is 1.
int main(int argc, char* argv[]) { return Catch::Session().run(argc, argv) == 0 ? 0 : 1; }
