# Sourced by scripts/sanitize.sh and scripts/fuzz.sh: sanitizer options and the suppressions of reports that
# come from uninstrumented libraries (tests/fuzz/sanitizer/*.supp says which and why).
supp="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/fuzz/sanitizer"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_odr_violation=0:allocator_may_return_null=1:strict_string_checks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
unset supp
