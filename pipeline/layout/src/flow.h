// Private: the page being filled, top to bottom.
#pragma once

#include <string>
#include <vector>

#include "sto/layout.h"
#include "text.h"

namespace sto::detail {

class Flow {
 public:
  Flow(const FontMetrics& metrics, const PageGeometry& geometry);

  const FontMetrics& metrics() const { return metrics_; }
  const Rect& body() const { return body_; }

  double top() const { return top_; }                   // upper edge of the free space
  double remaining() const { return top_ - body_.y1; }  // free height on this page
  bool at_page_top() const { return top_ == body_.y2; }
  void down(double dy) { top_ -= dy; }
  void new_page();
  int page_number() const { return static_cast<int>(pages_.size()); }

  // Adds a text run with its baseline at `baseline`; its width is measured.
  void text(double x, double baseline, const Font& font, double gray, std::string text);
  void line(double x1, double y1, double x2, double y2, double width, double gray);
  void shape(const Rect& rect, double gray, bool filled, double line_width = 0.5);

  std::vector<Page>& pages() { return pages_; }

 private:
  const FontMetrics& metrics_;
  Rect body_;
  double top_;
  std::vector<Page> pages_;
};

}  // namespace sto::detail
