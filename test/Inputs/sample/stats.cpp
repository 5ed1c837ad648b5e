#include "shapes.h"
#include <cmath>
#include <numeric>
template <typename T> static T sumOf(const std::vector<T> &v) {
  return std::accumulate(v.begin(), v.end(), T());
}
double mean(const std::vector<double> &v) {
  return v.empty() ? 0 : sumOf(v) / v.size();
}
double stddev(const std::vector<double> &v) {
  double m = mean(v), s = 0;
  for (double x : v)
    s += (x - m) * (x - m);
  return v.empty() ? 0 : std::sqrt(s / v.size());
}
