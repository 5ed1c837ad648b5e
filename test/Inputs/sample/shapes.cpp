#include "shapes.h"
#include "util.h"
Shape::~Shape() = default;
namespace {
struct Square : Shape {
  double s;
  explicit Square(double s) : s(s) {}
  double area() const override { return s * s * g_scale; }
  std::string name() const override { return "square"; }
};
struct Tri : Shape {
  double b, h;
  Tri(double b, double h) : b(b), h(h) {}
  double area() const override { return 0.5 * b * h; }
  std::string name() const override { return "triangle"; }
};
} // namespace
std::vector<std::unique_ptr<Shape>> makeShapes(int n) {
  std::vector<std::unique_ptr<Shape>> v;
  for (int i = 1; i <= n; ++i) {
    if (i % 2)
      v.push_back(std::make_unique<Square>(i));
    else
      v.push_back(std::make_unique<Tri>(i, i + 1));
  }
  return v;
}
