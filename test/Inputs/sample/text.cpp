#include "shapes.h"
#include <cctype>
#include <sstream>
std::string upperWords(const std::string &s) {
  std::istringstream in(s);
  std::string w, out;
  while (in >> w) {
    w[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(w[0])));
    out += (out.empty() ? "" : " ") + w;
  }
  return out;
}
