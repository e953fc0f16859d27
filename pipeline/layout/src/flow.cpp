#include "flow.h"

namespace sto::detail {

Flow::Flow(const FontMetrics& metrics, const PageGeometry& geometry)
    : metrics_(metrics), body_(geometry.body()), top_(body_.y2), pages_(1) {}

void Flow::new_page() {
  pages_.emplace_back();
  top_ = body_.y2;
}

void Flow::text(double x, double baseline, const Font& font, double gray, std::string text) {
  if (text.empty()) return;
  const double width = metrics_.width(font.style, font.size, text);
  pages_.back().texts.push_back({x, baseline, font.style, font.size, gray, std::move(text), width});
}

void Flow::line(double x1, double y1, double x2, double y2, double width, double gray) {
  pages_.back().lines.push_back({x1, y1, x2, y2, width, gray});
}

void Flow::shape(const Rect& rect, double gray, bool filled, double line_width) {
  pages_.back().shapes.push_back({rect, gray, filled, line_width});
}

}  // namespace sto::detail
