#include "shapes.h"
#include <map>
static std::map<std::string, int> &names() {
  static std::map<std::string, int> m;
  return m;
}
void registerName(const std::string &n) { ++names()[n]; }
std::string registrySummary() {
  std::string s;
  for (auto &[k, v] : names())
    s += k + "=" + std::to_string(v) + ";";
  return s;
}
