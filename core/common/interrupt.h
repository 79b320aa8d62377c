#pragma once
// Cooperative stop on SIGINT/SIGTERM: the first signal asks long jobs to stop at the next step boundary,
// a second one exits at once.
namespace pseg {

// Installs the handlers (idempotent); they stay for the life of the process.
void install_interrupt_handlers();
// True once a stop was requested; the signal number that did it, or 0.
bool stop_requested();
int stop_signal();
// For tests and for the distributed launcher: request a stop as if a signal had arrived.
void request_stop(int signal_number);
void clear_stop_request();

}  // namespace pseg
