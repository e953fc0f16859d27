// Placing the document's blocks on pages. Typographic choices (sizes, spacing) are constants
// here; what may break where is the rule set described in sto/layout.h.
#include <cmath>

#include "flow.h"
#include "sto/layout.h"
#include "text.h"

namespace sto {

namespace {

using detail::Flow;
using detail::Font;
using detail::wrap;

constexpr Font kBody{FontStyle::regular, 10, 13.5};
constexpr Font kSmall{FontStyle::regular, 8, 10.5};
constexpr Font kTitle{FontStyle::bold, 22, 27};
constexpr Font kSubtitle{FontStyle::regular, 11, 14};
constexpr Font kHeading1{FontStyle::bold, 13, 17};
constexpr Font kHeading2{FontStyle::bold, 10.5, 14};
constexpr Font kLabel{FontStyle::regular, 9, 12.5};
constexpr Font kCell{FontStyle::regular, 8.5, 11};
constexpr Font kCellBold{FontStyle::bold, 8.5, 11};
constexpr Font kSignTitle{FontStyle::bold, 10.5, 14};
constexpr Font kSignText{FontStyle::regular, 9, 12.5};
constexpr Font kTiny{FontStyle::regular, 7, 9};
constexpr Font kRunning{FontStyle::regular, 7.5, 9};

constexpr double kParagraphGap = 6;
constexpr double kListIndent = 16;
constexpr double kFieldLabelWidth = 150;
constexpr double kCellPad = 4;
constexpr double kFieldWidth = 200;  // signature field
constexpr double kFieldHeight = 58;
constexpr double kGray = 0.35;  // labels and running text

// Where a line's baseline sits inside its leading: text boxes (TextRun::box) stay within it.
double baseline_below(double top, const Font& f) { return top - (f.leading * 0.5 + f.size * 0.33); }

class Layouter {
 public:
  Layouter(const Document& doc, const FontMetrics& metrics, const PageGeometry& geometry)
      : doc_(doc), geometry_(geometry), flow_(metrics, geometry), width_(geometry.body().width()) {}

  Layout run();

 private:
  const FontMetrics& metrics() const { return flow_.metrics(); }
  double left() const { return flow_.body().x1; }
  double right() const { return flow_.body().x2; }
  std::vector<std::string> lines(const Font& f, std::string_view text, double w) const {
    return wrap(metrics(), f, text, w);
  }

  void space(double dy) {
    if (!flow_.at_page_top()) flow_.down(std::min(dy, flow_.remaining()));
  }
  void ensure(double height) {
    if (flow_.remaining() < height && !flow_.at_page_top()) flow_.new_page();
  }
  // Height a block needs at the foot of a page before it may start there.
  double start_height(std::size_t index) const;
  // A label/value row taller than this flows over pages line by line; a shorter one moves whole.
  double tall_row() const { return flow_.body().height() / 2; }
  // Places lines, breaking over pages with at least two lines on either side of a break.
  void flow_lines(const std::vector<std::string>& text, const Font& f, double x, double gray,
                  const std::string& marker = {});

  void title();
  void block(std::size_t index);
  void heading(const Heading& h, std::size_t index);
  void fields(const Fields& f);
  void table(const Table& t);
  void signatures(const SignatureBlock& b);
  std::vector<std::string> header_lines() const;
  void running_texts();

  const Document& doc_;
  PageGeometry geometry_;
  Flow flow_;
  double width_;
  std::vector<SignatureField> fields_;
};

void Layouter::flow_lines(const std::vector<std::string>& text, const Font& f, double x, double gray,
                          const std::string& marker) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const auto fit = static_cast<std::size_t>(std::max(0.0, std::floor((flow_.remaining() + 1e-6) / f.leading)));
    const std::size_t rest = n - i;
    std::size_t take = std::min(fit, rest);
    if (take < rest) {
      if (rest - take < 2) take = rest >= 3 ? rest - 2 : 0;  // no widow on the next page
      if (take < 2 || (i == 0 && n <= 3)) take = 0;          // no orphan here; short texts move whole
      if (take == 0 && flow_.at_page_top()) take = std::max<std::size_t>(fit, 1);  // cannot do better
    }
    for (std::size_t k = 0; k < take; ++k, ++i) {
      const double baseline = baseline_below(flow_.top(), f);
      if (i == 0 && !marker.empty()) flow_.text(x - kListIndent, baseline, f, gray, marker);
      flow_.text(x, baseline, f, gray, text[i]);
      flow_.down(f.leading);
    }
    if (i < n) flow_.new_page();
  }
}

double Layouter::start_height(std::size_t index) const {
  if (index >= doc_.blocks.size()) return 0;
  const Block& b = doc_.blocks[index];
  if (const auto* p = std::get_if<Paragraph>(&b)) {
    const Font& f = p->style == ParagraphStyle::small ? kSmall : kBody;
    return f.leading * static_cast<double>(std::min<std::size_t>(2, lines(f, p->text, width_).size()));
  }
  if (std::holds_alternative<Heading>(b)) return kHeading1.leading + 10 + start_height(index + 1);
  if (const auto* f = std::get_if<Fields>(&b)) {  // its first row moves whole
    if (f->rows.empty()) return 0;
    const auto& [label, value] = f->rows.front();
    const std::size_t n = std::max(lines(kLabel, label, kFieldLabelWidth - 8).size(),
                                   lines(kLabel, value, width_ - kFieldLabelWidth).size());
    const double height = kLabel.leading * static_cast<double>(n);
    return height > tall_row() ? 2 * kLabel.leading : height;  // a tall row flows: its first two lines
  }
  if (const auto* l = std::get_if<ItemList>(&b)) {
    if (l->items.empty()) return 0;
    const std::size_t n = lines(kBody, l->items.front(), width_ - kListIndent).size();
    return kBody.leading * static_cast<double>(std::min<std::size_t>(2, n));
  }
  if (std::holds_alternative<Table>(b)) return 2 * (2 * kCell.leading + 2 * kCellPad);
  return 0;
}

void Layouter::title() {
  flow_lines(lines(kTitle, doc_.title, width_), kTitle, left(), 0);
  flow_lines(lines(kSubtitle, doc_.subtitle, width_), kSubtitle, left(), kGray);
  flow_.down(6);
  flow_.line(left(), flow_.top(), right(), flow_.top(), 0.8, 0.2);
  flow_.down(14);
}

void Layouter::heading(const Heading& h, std::size_t index) {
  const Font& f = h.level == 1 ? kHeading1 : kHeading2;
  space(h.level == 1 ? 12 : 8);
  const double indent = h.number.empty() ? 0 : 22;
  const auto text = lines(f, h.text, width_ - indent);
  ensure(f.leading * static_cast<double>(text.size()) + start_height(index + 1));
  if (!h.number.empty()) flow_.text(left(), baseline_below(flow_.top(), f), f, 0, h.number);
  flow_lines(text, f, left() + indent, 0);
  flow_.down(h.level == 1 ? 4 : 2);
}

void Layouter::fields(const Fields& f) {
  for (const auto& [label, value] : f.rows) {
    const auto label_lines = lines(kLabel, label, kFieldLabelWidth - 8);
    const auto value_lines = lines(kLabel, value, width_ - kFieldLabelWidth);
    const std::size_t n = std::max(label_lines.size(), value_lines.size());
    const double height = kLabel.leading * static_cast<double>(n);
    if (height > tall_row()) {  // would leave too much of a page empty: line by line, label beside value
      if (flow_.remaining() < 2 * kLabel.leading) flow_.new_page();
      for (std::size_t k = 0; k < n; ++k) {
        if (flow_.remaining() < kLabel.leading) flow_.new_page();
        const double baseline = baseline_below(flow_.top(), kLabel);
        if (k < label_lines.size()) flow_.text(left(), baseline, kLabel, kGray, label_lines[k]);
        if (k < value_lines.size()) flow_.text(left() + kFieldLabelWidth, baseline, kLabel, 0, value_lines[k]);
        flow_.down(kLabel.leading);
      }
      continue;
    }
    ensure(height);
    double top = flow_.top();
    for (const auto& l : label_lines) {
      flow_.text(left(), baseline_below(top, kLabel), kLabel, kGray, l);
      top -= kLabel.leading;
    }
    top = flow_.top();
    for (const auto& l : value_lines) {
      flow_.text(left() + kFieldLabelWidth, baseline_below(top, kLabel), kLabel, 0, l);
      top -= kLabel.leading;
    }
    flow_.down(height);
  }
  space(kParagraphGap);
}

void Layouter::table(const Table& t) {
  double total = 0;
  for (const auto& c : t.columns) total += c.width;
  std::vector<double> x{left()};
  for (const auto& c : t.columns) x.push_back(x.back() + width_ * c.width / total);

  struct Row {
    std::vector<std::vector<std::string>> cells;
    std::size_t lines = 1;
  };
  const auto prepare = [&](const std::vector<std::string>& cells, const Font& f) {
    Row row;
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      row.cells.push_back(lines(f, c < cells.size() ? cells[c] : "", x[c + 1] - x[c] - 2 * kCellPad));
      row.lines = std::max(row.lines, row.cells.back().size());
    }
    return row;
  };
  std::vector<std::string> header_cells;
  for (const auto& c : t.columns) header_cells.push_back(c.header);
  const Row header = prepare(header_cells, kCellBold);
  const auto height = [](const Row&, std::size_t from, std::size_t to) {
    return static_cast<double>(to - from) * kCell.leading + 2 * kCellPad;
  };
  // Draws lines [from, to) of every cell of `row` at the top of the free space.
  const auto draw = [&](const Row& row, std::size_t from, std::size_t to, const Font& f, bool shaded) {
    const double h = height(row, from, to);
    const double top = flow_.top();
    if (shaded) flow_.shape({left(), top - h, right(), top}, 0.92, true);
    for (std::size_t c = 0; c < row.cells.size(); ++c) {
      double line_top = top - kCellPad;
      for (std::size_t l = from; l < std::min(to, row.cells[c].size()); ++l) {
        const std::string& s = row.cells[c][l];
        const double w = metrics().width(f.style, f.size, s);
        const double tx = t.columns[c].align == Align::right ? x[c + 1] - kCellPad - w : x[c] + kCellPad;
        flow_.text(tx, baseline_below(line_top, f), f, 0, s);
        line_top -= f.leading;
      }
    }
    flow_.down(h);
    flow_.line(left(), flow_.top(), right(), flow_.top(), 0.4, 0.7);
  };
  const double header_height = height(header, 0, header.lines);
  const auto start_page = [&] { draw(header, 0, header.lines, kCellBold, true); };

  std::vector<Row> rows;
  for (const auto& r : t.rows) rows.push_back(prepare(r, kCell));
  ensure(header_height + (rows.empty() ? 0 : height(rows[0], 0, std::min<std::size_t>(rows[0].lines, 2))));
  start_page();
  for (const Row& row : rows) {
    std::size_t from = 0;
    while (from < row.lines) {
      const double full = height(row, from, row.lines);
      const double page_room = flow_.body().height() - header_height;
      if (full > flow_.remaining() && (full <= page_room || flow_.remaining() < height(row, from, from + 2))) {
        flow_.new_page();  // the row moves whole to the next page, or it is too tall for any page
        start_page();
        if (full <= page_room) continue;
      }
      const auto fit = static_cast<std::size_t>(std::floor((flow_.remaining() - 2 * kCellPad) / kCell.leading));
      const std::size_t to = std::min(row.lines, from + std::max<std::size_t>(fit, 1));
      draw(row, from, to, kCell, false);
      from = to;
      if (from < row.lines) {
        flow_.new_page();
        start_page();
      }
    }
  }
  if (!t.footer.empty()) {
    const Row footer = prepare(t.footer, kCellBold);
    if (height(footer, 0, footer.lines) > flow_.remaining()) {
      flow_.new_page();
      start_page();
    }
    flow_.line(left(), flow_.top(), right(), flow_.top(), 0.9, 0.2);
    draw(footer, 0, footer.lines, kCellBold, false);
  }
  space(kParagraphGap + 4);
}

void Layouter::signatures(const SignatureBlock& b) {
  const double text_width = width_ - kFieldWidth - 16;
  const auto title = lines(kSignTitle, b.title + ": " + b.partner, width_);
  const double title_height = kSignTitle.leading * static_cast<double>(title.size()) + 4;
  struct Person {
    std::vector<std::string> text;
    double height;
  };
  std::vector<Person> people;
  double total = title_height + 10;
  for (const auto& s : b.signatories) {
    Person p;
    const auto add = [&](const std::string& label, const std::string& value) {
      if (value.empty()) return;
      for (auto& l : lines(kSignText, label + ": " + value, text_width)) p.text.push_back(std::move(l));
    };
    add(doc_.info.label_naam, s.naam);
    add(doc_.info.label_functie, s.functie);
    add(doc_.info.label_hoedanigheid, s.hoedanigheid);
    add(doc_.info.label_machtiging, s.machtiging);
    p.text.push_back(doc_.info.label_datum + ":");
    p.height = std::max(kSignText.leading * static_cast<double>(p.text.size()), kFieldHeight + 11) + 12;
    total += p.height;
    people.push_back(std::move(p));
  }
  space(8);
  ensure(std::min(total, flow_.body().height()));
  const auto put_title = [&] {
    flow_.line(left(), flow_.top(), right(), flow_.top(), 0.6, 0.6);
    flow_.down(4);
    flow_lines(title, kSignTitle, left(), 0);
    flow_.down(4);
  };
  put_title();
  // Lines that fit beside the signature field; a person's text beyond that may run ahead of it.
  const auto beside_field = static_cast<std::size_t>((kFieldHeight + 11) / kSignText.leading);
  for (std::size_t i = 0; i < people.size(); ++i) {
    Person& p = people[i];
    if (p.height > flow_.body().height() - title_height - 10) {
      // Taller than a page (a very long machtiging): the first lines flow over pages, the last
      // ones stay with the field and the date line.
      const std::size_t ahead = p.text.size() - std::min(p.text.size(), beside_field);
      for (std::size_t k = 0; k < ahead; ++k) {
        if (flow_.remaining() < kSignText.leading) {
          flow_.new_page();
          put_title();
        }
        flow_.text(left(), baseline_below(flow_.top(), kSignText), kSignText, 0, p.text[k]);
        flow_.down(kSignText.leading);
      }
      p.text.erase(p.text.begin(), p.text.begin() + static_cast<std::ptrdiff_t>(ahead));
      p.height = std::max(kSignText.leading * static_cast<double>(p.text.size()), kFieldHeight + 11) + 12;
    }
    if (p.height > flow_.remaining()) {  // the block is taller than a page, or p's text was
      flow_.new_page();
      put_title();
    }
    const double top = flow_.top();
    double line_top = top;
    for (const auto& l : p.text) {
      flow_.text(left(), baseline_below(line_top, kSignText), kSignText, 0, l);
      line_top -= kSignText.leading;
    }
    const double date_x = left() + metrics().width(kSignText.style, kSignText.size, doc_.info.label_datum + ": ") + 2;
    flow_.line(date_x, line_top + 3, std::min(date_x + 120, left() + text_width), line_top + 3, 0.5, 0.5);
    flow_.text(right() - kFieldWidth, top - 8, kTiny, kGray, doc_.info.label_handtekening);
    const Rect field{right() - kFieldWidth, top - 11 - kFieldHeight, right(), top - 11};
    flow_.shape(field, 0.6, false, 0.6);
    const Signatory& s = b.signatories[i];
    fields_.push_back({s.id, b.partner_id, flow_.page_number(), field,
                       doc_.info.label_ondertekend + " " + s.naam + ", " + s.functie + ", " + b.partner});
    flow_.down(p.height);
  }
}

void Layouter::block(std::size_t index) {
  const Block& b = doc_.blocks[index];
  if (const auto* h = std::get_if<Heading>(&b)) return heading(*h, index);
  if (const auto* p = std::get_if<Paragraph>(&b)) {
    const Font& f = p->style == ParagraphStyle::small ? kSmall : p->style == ParagraphStyle::bold ? kHeading2 : kBody;
    flow_lines(lines(f, p->text, width_), f, left(), p->style == ParagraphStyle::small ? kGray : 0);
    return space(kParagraphGap);
  }
  if (const auto* l = std::get_if<ItemList>(&b)) {
    for (std::size_t i = 0; i < l->items.size(); ++i) {
      const std::string marker = l->numbered ? std::to_string(i + 1) + "." : "\u2022";
      flow_lines(lines(kBody, l->items[i], width_ - kListIndent), kBody, left() + kListIndent, 0, marker);
      space(2);
    }
    return space(kParagraphGap);
  }
  if (const auto* f = std::get_if<Fields>(&b)) return fields(*f);
  if (const auto* t = std::get_if<Table>(&b)) return table(*t);
  if (const auto* s = std::get_if<SignatureBlock>(&b)) return signatures(*s);
  if (!flow_.at_page_top()) flow_.new_page();  // PageBreak
}

// Every line of a long header (a 200-character regio name, a 64-character kenmerk). Three lines
// fit in the top margin; should a template make more, the words at its end are kept behind "…",
// since kenmerk and versie end the header.
std::vector<std::string> Layouter::header_lines() const {
  constexpr std::size_t kMaxLines = 3;
  auto all = lines(kRunning, doc_.info.header, width_);
  if (all.size() <= kMaxLines) return all;
  std::vector<std::string_view> words;
  const std::string_view text = doc_.info.header;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t end = std::min(text.find(' ', pos), text.size());
    if (end > pos) words.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  // The longest tail of words that fits, found by halving: wrapping is linear in its length.
  std::size_t fits = words.size();  // index of the first kept word; words.size() = none yet
  std::size_t lo = 1;
  std::size_t hi = words.size() - 1;
  while (lo <= hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    std::string tail = "…";
    for (std::size_t k = mid; k < words.size(); ++k) tail += " " + std::string(words[k]);
    if (lines(kRunning, tail, width_).size() <= kMaxLines) {
      fits = mid;
      hi = mid - 1;
    } else {
      lo = mid + 1;
    }
  }
  if (fits < words.size()) {
    std::string tail = "…";
    for (std::size_t k = fits; k < words.size(); ++k) tail += " " + std::string(words[k]);
    return lines(kRunning, tail, width_);
  }
  // Not even the last word fits in three lines: the end of that word.
  auto last = lines(kRunning, std::string(words.back()), width_ - metrics().width(kRunning.style, kRunning.size, "… "));
  last.erase(last.begin(), last.end() - static_cast<std::ptrdiff_t>(std::min(last.size(), kMaxLines)));
  last.front() = "… " + last.front();
  return last;
}

void Layouter::running_texts() {
  const std::string total = std::to_string(flow_.pages().size());
  const std::vector<std::string> header = header_lines();
  const double header_y = geometry_.height - 44;
  const double footer_y = 50;
  for (std::size_t i = 0; i < flow_.pages().size(); ++i) {
    Page& page = flow_.pages()[i];
    const auto add = [&](double x, double y, const Font& f, std::string text) {
      const double w = metrics().width(f.style, f.size, text);
      page.texts.push_back({x, y, f.style, f.size, kGray, std::move(text), w});
    };
    for (std::size_t k = 0; k < header.size(); ++k) {
      add(left(), header_y + kRunning.leading * static_cast<double>(header.size() - 1 - k), kRunning, header[k]);
    }
    page.lines.push_back({left(), header_y - 7, right(), header_y - 7, 0.4, 0.6});
    page.lines.push_back({left(), footer_y + 12, right(), footer_y + 12, 0.4, 0.6});
    std::string footer = doc_.info.footer;
    for (const auto& [key, value] :
         {std::pair{std::string("{pagina}"), std::to_string(i + 1)}, std::pair{std::string("{paginas}"), total}}) {
      for (auto at = footer.find(key); at != std::string::npos; at = footer.find(key))
        footer.replace(at, key.size(), value);
    }
    // The footer right, the fingerprint left, each downwards from the rule; the hash is one long
    // word and is broken inside it rather than cut off.
    double footer_width = 0;
    const auto footer_lines = lines(kRunning, footer, width_ / 3);
    for (std::size_t k = 0; k < std::min<std::size_t>(footer_lines.size(), 3); ++k) {
      const double w = metrics().width(kRunning.style, kRunning.size, footer_lines[k]);
      footer_width = std::max(footer_width, w);
      add(right() - w, footer_y - kRunning.leading * static_cast<double>(k), kRunning, footer_lines[k]);
    }
    const auto fingerprint = lines(kTiny, doc_.info.fingerprint, width_ - footer_width - 20);
    for (std::size_t k = 0; k < std::min<std::size_t>(fingerprint.size(), 4); ++k) {
      add(left(), footer_y - kTiny.leading * static_cast<double>(k), kTiny, fingerprint[k]);
    }
  }
}

Layout Layouter::run() {
  title();
  for (std::size_t i = 0; i < doc_.blocks.size(); ++i) block(i);
  running_texts();
  return Layout{geometry_, doc_.info, std::move(flow_.pages()), std::move(fields_)};
}

}  // namespace

Layout lay_out(const Document& document, const FontMetrics& metrics) {
  return Layouter(document, metrics, PageGeometry{}).run();
}

}  // namespace sto
