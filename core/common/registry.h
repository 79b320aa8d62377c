#pragma once
// One registry per extension point (optimisers, schedules, inference engines, weight importers): entries are
// found by name, listed in registration order, and every "unknown X (known: ...)" message and help text is
// built from them, so a new entry is its own file plus one registration line. Entries added at run time (e.g.
// by a test or an application) are listed like built-in ones.
#include <algorithm>
#include <deque>
#include <stdexcept>
#include <string>
#include <vector>

namespace pseg {

// "a, b, c"
inline std::string join_names(const std::vector<std::string>& names, const std::string& separator = ", ") {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : separator) + n;
  return out;
}

// Entry: any struct with a `std::string name`.
template <typename Entry>
class Registry {
 public:
  // `what` names the extension point in messages: "optimiser", "inference engine", ...
  Registry(std::string what, std::vector<Entry> builtin)
      : what_(std::move(what)), entries_(builtin.begin(), builtin.end()) {}

  // Adds an entry; throws std::invalid_argument when the name is taken.
  void add(Entry entry) {
    if (find(entry.name)) throw std::invalid_argument(what_ + " \"" + entry.name + "\" is already registered");
    entries_.push_back(std::move(entry));
  }
  // nullptr when no entry has that name. Entries never move: a pointer stays valid after later add()s.
  const Entry* find(const std::string& name) const {
    const auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.name == name; });
    return it == entries_.end() ? nullptr : &*it;
  }
  // The entry, or std::invalid_argument "<key>: unknown <what> \"x\" (known: a, b)".
  const Entry& at(const std::string& name, const std::string& key) const {
    if (const Entry* e = find(name)) return *e;
    throw std::invalid_argument(key + ": unknown " + what_ + " \"" + name + "\" (known: " + join_names(names()) + ")");
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : entries_) out.push_back(e.name);
    return out;
  }
  const std::deque<Entry>& entries() const { return entries_; }

 private:
  std::string what_;
  std::deque<Entry> entries_;  // a deque: adding never moves the entries others point to
};

}  // namespace pseg
