// Shapes with virtual dispatch across modules.
#ifndef SAMPLE_SHAPES_H
#define SAMPLE_SHAPES_H
#include <memory>
#include <string>
#include <vector>
struct Shape {
  virtual ~Shape();
  virtual double area() const = 0;
  virtual std::string name() const = 0;
};
std::vector<std::unique_ptr<Shape>> makeShapes(int n);
std::string upperWords(const std::string &s); // text.cpp (in libutil.a)
double mean(const std::vector<double> &v);    // stats.cpp
double stddev(const std::vector<double> &v);  // stats.cpp
void registerName(const std::string &n);      // registry.cpp
std::string registrySummary();                // registry.cpp
#endif
