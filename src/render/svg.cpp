#include "render/svg.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "llm_energy/error.hpp"

namespace llm_energy::render::svg {
namespace {

// Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
// deficiency. Black is last (used for error bars and text).
constexpr std::array<const char*, 7> k_palette = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                                  "#56B4E9", "#D55E00", "#F0E442"};

const char* colour(std::size_t i) {
  return k_palette.at(i % k_palette.size());
}

struct Unit {
  double factor;  // base units per display unit
  const char* name;
};

Unit unit_for(Quantity q, double max_value) {
  static constexpr std::array<Unit, 5> k_energy = {
      {{1e-3, "Wh"}, {1, "kWh"}, {1e3, "MWh"}, {1e6, "GWh"}, {1e9, "TWh"}}};
  static constexpr std::array<Unit, 4> k_mass = {{{1e-3, "g"}, {1, "kg"}, {1e3, "t"}, {1e6, "kt"}}};
  auto pick = [&](const auto& units) {
    Unit best = units[0];
    for (const auto& u : units) {
      if (max_value >= u.factor) {
        best = u;
      }
    }
    return best;
  };
  switch (q) {
    case Quantity::energy_kwh:
      return pick(k_energy);
    case Quantity::mass_kg:
      return pick(k_mass);
    case Quantity::plain:
      break;
  }
  return {1, ""};
}

std::string num(double v) {
  if (v == 0) {
    return "0";
  }
  return fmt::format("{:.4g}", v);
}

std::string px(double v) {
  return fmt::format("{:.1f}", v);
}

// Round ticks from 0 (or lo) to at least `hi`: steps of 1, 2 or 5 x 10^k.
std::vector<double> linear_ticks(double lo, double hi) {
  if (!(hi > lo)) {
    hi = lo + 1;
  }
  const double raw = (hi - lo) / 5;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) {
      break;
    }
  }
  std::vector<double> t;
  for (double v = std::floor(lo / step) * step; v <= hi + step * 0.999; v += step) {
    t.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
    if (v >= hi) {
      break;
    }
  }
  return t;
}

std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> t;
  for (double e = std::floor(std::log10(lo)); e <= std::ceil(std::log10(hi)); e += 1) {
    t.push_back(std::pow(10.0, e));
  }
  return t;
}

class Doc {
 public:
  Doc(double w, double h, std::string title, std::string desc)
      : m_w(w), m_h(h), m_title(std::move(title)), m_desc(std::move(desc)) {
    text(w / 2, 24, m_title, "middle", 15, true);
  }
  void set_height(double h) { m_h = h; }
  void rect(double x, double y, double w, double h, const std::string& fill, const std::string& extra = "",
            const std::string& tooltip = "") {
    m_s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"{}", px(x), px(y),
                       px(std::max(w, 0.0)), px(std::max(h, 0.0)), fill, extra);
    m_s += tooltip.empty() ? "/>\n" : "><title>" + escape(tooltip) + "</title></rect>\n";
  }
  void line(double x1, double y1, double x2, double y2, const std::string& stroke, double width = 1) {
    m_s += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"/>\n",
                       px(x1), px(y1), px(x2), px(y2), stroke, width);
  }
  void text(double x, double y, const std::string& t, const char* anchor = "start", double size = 12,
            bool bold = false, const std::string& transform = "") {
    m_s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" font-size=\"{}\"{}{}>{}</text>\n", px(x),
                       px(y), anchor, size, bold ? " font-weight=\"bold\"" : "",
                       transform.empty() ? "" : " transform=\"" + transform + "\"", escape(t));
  }
  void polyline(const std::vector<std::pair<double, double>>& pts, const std::string& stroke,
                const std::string& dash) {
    std::string p;
    for (const auto& [x, y] : pts) {
      p += px(x) + "," + px(y) + " ";
    }
    m_s += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{}/>\n", p,
                       stroke, dash.empty() ? "" : " stroke-dasharray=\"" + dash + "\"");
  }
  void circle(double x, double y, const std::string& fill) {
    m_s += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\"/>\n", px(x), px(y), fill);
  }
  [[nodiscard]] std::string str() const {
    return fmt::format(
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} "
               "{1}\" "
               "role=\"img\" aria-labelledby=\"t d\" font-family=\"DejaVu Sans, Helvetica, Arial, "
               "sans-serif\" "
               "font-size=\"12\">\n<title id=\"t\">{2}</title>\n<desc id=\"d\">{3}</desc>\n"
               "<rect width=\"{0}\" height=\"{1}\" fill=\"#ffffff\"/>\n",
               px(m_w), px(m_h), escape(m_title), escape(m_desc)) +
           m_s + "</svg>\n";
  }

 private:
  double m_w;
  double m_h;
  std::string m_title;
  std::string m_desc;
  std::string m_s;
};

// Legend entries in rows across the bottom; return the baseline of the last row. With
// `dashes`, entries are line samples (dash pattern per entry), else colour boxes.
double legend(Doc& d, double x0, double y, double width, const std::vector<std::string>& names,
              bool error_bar, const std::vector<std::string>* dashes = nullptr) {
  double x = x0;
  auto advance = [&](double w) {
    if (x > x0 && x + w > x0 + width) {
      x = x0;
      y += 18;
    }
  };
  for (std::size_t i = 0; i < names.size(); ++i) {
    const double w = 22 + 7.0 * static_cast<double>(names[i].size());
    advance(w);
    if (dashes != nullptr) {
      d.polyline({{x, y - 4}, {x + 14, y - 4}}, colour(i), dashes->at(i));
    } else {
      d.rect(x, y - 10, 12, 12, colour(i));
    }
    d.text(x + 18, y, names[i]);
    x += w + 12;
  }
  if (error_bar) {
    const std::string label = "range (low\u2013high)";
    advance(140);
    d.line(x + 6, y - 11, x + 6, y + 3, "#000000", 1.5);
    d.line(x + 2, y - 11, x + 10, y - 11, "#000000", 1.5);
    d.line(x + 2, y + 3, x + 10, y + 3, "#000000", 1.5);
    d.text(x + 16, y, label);
  }
  return y;
}

}  // namespace

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // Control characters are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t') {
          out += c;
        }
    }
  }
  return out;
}

std::string bar_chart(const BarChart& c) {
  constexpr double k_panel_w = 360;
  constexpr double k_plot_h = 300;
  constexpr double k_top = 50;
  constexpr double k_left = 70;
  constexpr double k_gap = 90;
  const double width = k_left + static_cast<double>(c.panels.size()) * (k_panel_w + k_gap) - k_gap + 30;
  // Category labels too long for their slot are rotated, and the chart grows to fit them.
  bool rotate = false;
  double longest = 0;
  for (const auto& panel : c.panels) {
    const double slot = k_panel_w / static_cast<double>(std::max<std::size_t>(panel.bars.size(), 1));
    for (const auto& b : panel.bars) {
      const double w = 7.0 * static_cast<double>(b.label.size());
      longest = std::max(longest, w);
      rotate = rotate || w > slot - 6;
    }
  }
  const double label_h = rotate ? std::min(longest * 0.6, 160.0) : 0;
  const double height = k_top + k_plot_h + 110 + label_h;
  Doc d(width, height, c.title, c.subtitle.empty() ? c.desc : c.subtitle + ". " + c.desc);
  if (!c.subtitle.empty()) {
    d.text(width / 2, 40, c.subtitle, "middle", 11);
  }
  for (std::size_t p = 0; p < c.panels.size(); ++p) {
    const Panel& panel = c.panels[p];
    const double x0 = k_left + static_cast<double>(p) * (k_panel_w + k_gap);
    double max_v = 0;
    for (const auto& b : panel.bars) {
      double sum = 0;
      for (double v : b.segments) {
        sum += std::max(v, 0.0);
      }
      max_v = std::max({max_v, sum, b.high.value_or(0.0)});
    }
    const Unit u = unit_for(panel.quantity, max_v);
    const auto ticks = linear_ticks(0, max_v > 0 ? max_v / u.factor : 1);
    const double top = ticks.back();
    auto y_of = [&](double base) { return k_top + 20 + k_plot_h * (1 - (base / u.factor) / top); };
    d.text(x0 + k_panel_w / 2, k_top + 8, panel.title, "middle", 13, true);
    for (double t : ticks) {
      const double y = y_of(t * u.factor);
      d.line(x0, y, x0 + k_panel_w, y, "#dddddd");
      d.text(x0 - 6, y + 4, num(t), "end");
    }
    d.line(x0, k_top + 20, x0, k_top + 20 + k_plot_h, "#000000");
    d.line(x0, k_top + 20 + k_plot_h, x0 + k_panel_w, k_top + 20 + k_plot_h, "#000000");
    const std::string axis = panel.title.substr(0, panel.title.find(" (")) + " [" + u.name + "]";
    d.text(x0 - 52, k_top + 20 + k_plot_h / 2, axis, "middle", 12, false,
           fmt::format("rotate(-90 {} {})", px(x0 - 52), px(k_top + 20 + k_plot_h / 2)));
    const double slot = k_panel_w / static_cast<double>(std::max<std::size_t>(panel.bars.size(), 1));
    const double bw = std::min(slot * 0.6, 80.0);
    // Value labels narrower than their slot: a smaller font down to 8 px, then every other
    // label raised a line, so that neighbours never touch ("146 MWh121 MWh").
    std::size_t widest = 0;
    for (const auto& b : panel.bars) {
      widest = std::max(widest, b.annotation.size());
    }
    const double char_w = 0.6;  // average glyph width per px of font size
    const double fit = widest > 0 ? (slot - 4) / (char_w * static_cast<double>(widest)) : 11.0;
    const double label_font = std::clamp(std::floor(fit), 8.0, 11.0);
    const bool stagger = fit < 8.0;
    for (std::size_t i = 0; i < panel.bars.size(); ++i) {
      const Bar& b = panel.bars[i];
      const double cx = x0 + slot * (static_cast<double>(i) + 0.5);
      double base = 0;
      for (std::size_t s = 0; s < b.segments.size(); ++s) {
        const double v = std::max(b.segments[s], 0.0);
        const double y1 = y_of(base + v);
        if (v <= 0) {
          continue;
        }
        const std::string name = s < c.series.size() ? c.series[s] : "";
        d.rect(cx - bw / 2, y1, bw, y_of(base) - y1, colour(s), " stroke=\"#ffffff\" stroke-width=\"0.5\"",
               b.label + ", " + name + ": " + num(v / u.factor) + " " + u.name);
        base += v;
      }
      double label_y = y_of(base) - 6;
      if (b.low && b.high) {
        const double ylo = y_of(*b.low);
        const double yhi = y_of(*b.high);
        d.line(cx, ylo, cx, yhi, "#000000", 1.5);
        d.line(cx - 6, ylo, cx + 6, ylo, "#000000", 1.5);
        d.line(cx - 6, yhi, cx + 6, yhi, "#000000", 1.5);
        label_y = std::min(label_y, yhi - 6);
      }
      if (!b.annotation.empty()) {
        d.text(cx, label_y - (stagger && i % 2 == 1 ? label_font + 2 : 0.0), b.annotation, "middle",
               label_font);
      }
      const double ly = k_top + 20 + k_plot_h + 16;
      if (rotate) {
        d.text(cx + 4, ly, b.label, "end", 12, false, fmt::format("rotate(-35 {} {})", px(cx + 4), px(ly)));
      } else {
        d.text(cx, ly, b.label, "middle");
      }
    }
  }
  const double last = legend(d, k_left, k_top + k_plot_h + 70 + label_h, width - k_left - 20, c.series,
                             c.error_bars_in_legend);
  d.set_height(std::max(height, last + 16));
  return d.str();
}

std::string line_chart(const LineChart& c) {
  constexpr double k_w = 640;
  constexpr double k_h = 320;
  constexpr double k_top = 50;
  constexpr double k_left = 80;
  double xlo = std::numeric_limits<double>::infinity();
  double xhi = -xlo;
  double ylo = xlo;
  double yhi = -xlo;
  for (const auto& s : c.series) {
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      xlo = std::min(xlo, s.x[i]);
      xhi = std::max(xhi, s.x[i]);
      ylo = std::min(ylo, s.y[i]);
      yhi = std::max(yhi, s.y[i]);
    }
  }
  if (!std::isfinite(xlo) || !std::isfinite(ylo)) {
    throw InputError("--plot: nothing to plot");
  }
  const bool log_x = c.log_x.value_or(xlo > 0 && xhi / xlo > 100);
  const bool log_y = c.log_y.value_or(ylo > 0 && yhi / ylo > 100);
  const Unit u = unit_for(c.y_quantity, yhi);
  ylo /= u.factor;
  yhi /= u.factor;
  const auto xt = log_x ? log_ticks(xlo, xhi) : linear_ticks(xlo, xhi);
  const auto yt = log_y ? log_ticks(ylo, yhi) : linear_ticks(std::min(0.0, ylo), yhi);
  const double x0 = log_x ? std::log10(xt.front()) : xt.front();
  const double x1 = log_x ? std::log10(xt.back()) : xt.back();
  const double y0 = log_y ? std::log10(yt.front()) : yt.front();
  const double y1 = log_y ? std::log10(yt.back()) : yt.back();
  auto sx = [&](double x) {
    const double v = log_x ? std::log10(x) : x;
    return k_left + k_w * (x1 > x0 ? (v - x0) / (x1 - x0) : 0.5);
  };
  auto sy = [&](double y) {
    const double v = log_y ? std::log10(y) : y;
    return k_top + 20 + k_h * (1 - (y1 > y0 ? (v - y0) / (y1 - y0) : 0.5));
  };
  Doc d(k_left + k_w + 40, k_top + k_h + 110, c.title, c.desc);
  if (c.band) {
    const double bx0 = sx(std::max(c.band->first, xt.front()));
    const double bx1 = sx(std::min(c.band->second, xt.back()));
    d.rect(bx0, k_top + 20, bx1 - bx0, k_h, "#999999", " fill-opacity=\"0.25\"");
  }
  for (double t : yt) {
    d.line(k_left, sy(t), k_left + k_w, sy(t), "#dddddd");
    d.text(k_left - 6, sy(t) + 4, num(t), "end");
  }
  for (double t : xt) {
    d.line(sx(t), k_top + 20 + k_h, sx(t), k_top + 26 + k_h, "#000000");
    d.text(sx(t), k_top + 40 + k_h, num(t), "middle");
  }
  d.line(k_left, k_top + 20, k_left, k_top + 20 + k_h, "#000000");
  d.line(k_left, k_top + 20 + k_h, k_left + k_w, k_top + 20 + k_h, "#000000");
  const std::string xl =
      c.x_label + (c.x_unit.empty() ? "" : " [" + c.x_unit + "]") + (log_x ? " (log)" : "");
  d.text(k_left + k_w / 2, k_top + 60 + k_h, xl, "middle");
  const std::string yl =
      c.y_label + (u.name[0] != '\0' ? std::string(" [") + u.name + "]" : "") + (log_y ? " (log)" : "");
  d.text(22, k_top + 20 + k_h / 2, yl, "middle", 12, false,
         fmt::format("rotate(-90 22 {})", px(k_top + 20 + k_h / 2)));
  static constexpr std::array<const char*, 3> k_dash = {"", "6 3", "2 2"};
  std::vector<std::string> dashes;
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    dashes.emplace_back(k_dash.at((i / k_palette.size()) % k_dash.size()));
  }
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    const auto& s = c.series[i];
    std::vector<std::pair<double, double>> pts;
    for (std::size_t k = 0; k < s.x.size() && k < s.y.size(); ++k) {
      pts.emplace_back(sx(s.x[k]), sy(s.y[k] / u.factor));
    }
    d.polyline(pts, colour(i), dashes[i]);
    if (pts.size() <= 60) {
      for (const auto& [x, y] : pts) {
        d.circle(x, y, colour(i));
      }
    }
  }
  std::vector<std::string> names;
  for (const auto& s : c.series) {
    names.push_back(s.name);
  }
  const double ly = k_top + k_h + 90;
  d.set_height(legend(d, k_left, ly, k_w, names, false, &dashes) + 16);
  if (c.band) {
    d.rect(k_left + k_w - 200, k_top + 2, 12, 12, "#999999", " fill-opacity=\"0.4\"");
    d.text(k_left + k_w - 184, k_top + 12, c.band_label);
  }
  return d.str();
}

}  // namespace llm_energy::render::svg
