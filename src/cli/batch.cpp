#include "batch.hpp"

#include "common.hpp"

#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <utility>

#include "charts.hpp"
#include "io.hpp"
#include "llm_energy/csv.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/json_util.hpp"
#include "llm_energy/suggest.hpp"
#include "llm_energy/units.hpp"
#include "render.hpp"

namespace llm_energy::cli {
namespace {

using json = nlohmann::ordered_json;

constexpr std::size_t k_flush_rows = 256;

bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos;
}

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) {
    return {};
  }
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

void chomp_cr(std::string& s) {
  if (!s.empty() && s.back() == '\r') {
    s.pop_back();
  }
}

// "line N: message", without doubling the prefix when the message already carries it.
std::string row_error(std::size_t line, std::string_view what) {
  std::string prefix = "line " + std::to_string(line);
  std::string msg(what);
  for (auto& c : msg) {
    if (c == '\n' || c == '\r') {
      c = ' ';
    }
  }
  if (msg.rfind(prefix, 0) == 0 && msg.size() > prefix.size() &&
      (msg[prefix.size()] == ':' || msg[prefix.size()] == ' ')) {
    return msg;
  }
  return prefix + ": " + msg;
}

// ---- progress on a terminal ----

class Progress {
 public:
  Progress(std::ostream& err, bool on) : m_err(err), m_on(on) {}
  void tick(std::size_t rows) {
    if (!m_on || (rows & 63U) != 0) {
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - m_last < std::chrono::milliseconds(250)) {
      return;
    }
    m_last = now;
    draw(rows, now);
  }
  // After a block of rows (the parallel sweep): draw at most every 250 ms.
  void tick_to(std::size_t rows) {
    if (!m_on) {
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - m_last >= std::chrono::milliseconds(250)) {
      m_last = now;
      draw(rows, now);
    }
  }
  void done(std::size_t rows) {
    if (!m_on) {
      return;
    }
    draw(rows, std::chrono::steady_clock::now());
    m_err << "\n";
    m_err.flush();
  }

 private:
  void draw(std::size_t rows, std::chrono::steady_clock::time_point now) {
    const double secs = std::chrono::duration<double>(now - m_start).count();
    const double rate = secs > 0 ? static_cast<double>(rows) / secs : 0.0;
    m_err << fmt::format("\rllm-energy: {} rows, {:.0f} rows/s   ", rows, rate);
    m_err.flush();
  }
  std::ostream& m_err;
  bool m_on;
  std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point m_last = m_start;
};

// ---- output rows ----

// Compact JSON; text that is not valid UTF-8 (an id or value echoed from the input) gets
// U+FFFD instead of an exception.
std::string dump_text(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

class RowWriter {
 public:
  RowWriter(std::ostream& out, BatchOutput f, std::vector<std::string> extra_keys)
      : m_out(out), m_format(f), m_extra(std::move(extra_keys)) {
    m_buf.reserve(1 << 16);
  }

  void begin() {
    if (m_format == BatchOutput::csv) {
      bool first = true;
      auto col = [&](const std::string& c) {
        if (!first) {
          m_buf += ',';
        }
        first = false;
        m_buf += csv_escape(c);
      };
      for (const auto& k : m_extra) {
        col(k);
      }
      for (const char* c : {"id", "line", "error", "budget.within"}) {
        col(c);
      }
      for (const auto& c : csv_columns()) {
        col(c);
      }
      m_buf += '\n';
    } else if (m_format == BatchOutput::json) {
      m_buf += '[';
    }
    flush();
  }

  // One estimated row. `id` is the row's own id, or null for its line number (its index in a
  // sweep); `budget` is null when no budget applies.
  void ok(const std::string* id, std::size_t line, const Estimate& e, const BudgetCheck* budget,
          const std::vector<std::string>* extra) {
    if (m_format == BatchOutput::csv) {
      start_csv(extra);
      if (id != nullptr) {
        append_csv_field(m_buf, *id);
      } else {
        append_uint(line);
      }
      m_buf += ',';
      append_uint(line);
      m_buf += ",,";
      if (budget != nullptr) {
        m_buf += budget->over ? "false" : "true";
      }
      append_csv_values(m_buf, e);
      end_row();
      return;
    }
    start_json();
    m_buf += "{\"id\":";
    if (id != nullptr) {
      append_json_string(m_buf, *id);
    } else {
      append_uint(line);
    }
    m_buf += ",\"line\":";
    append_uint(line);
    json_extra(extra);
    m_buf += ',';
    append_json_members(m_buf, e);
    if (budget != nullptr) {
      json b{{"within", !budget->over}, {"messages", budget->messages}};
      m_buf += ",\"budget\":";
      m_buf += dump_text(b);
    }
    m_buf += '}';
    end_row();
  }

  void error(const json& id, std::size_t line, const std::string& message,
             const std::vector<std::string>* extra) {
    if (m_format == BatchOutput::csv) {
      start_csv(extra);
      m_buf += csv_escape(csv_id(id));
      m_buf += ',';
      m_buf += std::to_string(line);
      m_buf += ',';
      m_buf += csv_escape(message);
      m_buf += ',';  // budget.within
      m_buf.append(csv_columns().size(), ',');
      end_row();
      return;
    }
    start_json();
    m_buf += "{\"id\":";
    m_buf += dump_text(id);
    m_buf += ",\"line\":";
    m_buf += std::to_string(line);
    json_extra(extra);
    m_buf += ",\"error\":";
    append_json_string(m_buf, message);
    m_buf += '}';
    end_row();
  }

  void end() {
    if (m_format == BatchOutput::json) {
      m_buf += m_rows > 0 ? "\n]\n" : "]\n";
    }
    flush();
  }

 private:
  static std::string csv_id(const json& id) { return id.is_string() ? id.get<std::string>() : id.dump(); }

  void start_csv(const std::vector<std::string>* extra) {
    if (extra != nullptr) {
      for (const auto& v : *extra) {
        m_buf += csv_escape(v);
        m_buf += ',';
      }
    }
  }
  void append_uint(std::size_t v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    m_buf.append(buf, r.ptr);
  }
  void start_json() {
    if (m_format == BatchOutput::json) {
      m_buf += m_rows > 0 ? ",\n" : "\n";
    }
  }
  void json_extra(const std::vector<std::string>* extra) {
    if (extra == nullptr || m_extra.empty()) {
      return;
    }
    json sweep = json::object();
    for (std::size_t i = 0; i < m_extra.size() && i < extra->size(); ++i) {
      sweep[m_extra[i]] = (*extra)[i];
    }
    m_buf += ",\"sweep\":";
    m_buf += dump_text(sweep);
  }
  void end_row() {
    if (m_format != BatchOutput::json) {
      m_buf += '\n';
    }
    ++m_rows;
    if (m_rows % k_flush_rows == 0) {
      flush();
    }
  }
  void flush() {
    m_out.write(m_buf.data(), static_cast<std::streamsize>(m_buf.size()));
    m_out.flush();
    m_buf.clear();
  }

  std::ostream& m_out;
  BatchOutput m_format;
  std::vector<std::string> m_extra;
  std::string m_buf;
  std::size_t m_rows = 0;
};

json id_of(const Scenario& s, std::size_t line) {
  if (s.id) {
    return s.id->value;
  }
  return line;
}

// ---- the per-row engine shared by batch and sweep ----

class Engine {
 public:
  Engine(const Catalog& cat, const BudgetOptions& budget, RowWriter& w, Progress& p, bool fail_fast)
      : m_cat(cat), m_budget(budget), m_writer(w), m_progress(p), m_fail_fast(fail_fast) {}

  // Estimate `s` and write its row (id: the scenario's own, else `line`); return false when
  // the run must stop (fail-fast). Assumptions are not part of a row, so they are not built.
  bool row(const Scenario& s, std::size_t line, const std::vector<std::string>* extra, bool own_id = true) {
    try {
      const Estimate e = estimate(s, m_cat, EstimateOptions{false, &m_cache});
      const BudgetCheck bc = check_budgets(s, e, m_budget);
      if (m_sink) {
        m_sink(e, extra);
      }
      m_writer.ok(own_id && s.id ? &s.id->value : nullptr, line, e, bc.any_budget ? &bc : nullptr, extra);
      ++m_result.rows;
      if (bc.over) {
        ++m_result.over_budget;
      }
      m_progress.tick(m_result.rows);
      return true;
    } catch (const InputError& ex) {
      return fail(own_id ? id_of(s, line) : json(line), line, ex.what(), extra);
    }
  }

  bool fail(const json& id, std::size_t line, std::string_view what, const std::vector<std::string>* extra) {
    m_writer.error(id, line, row_error(line, what), extra);
    ++m_result.rows;
    ++m_result.failed;
    m_progress.tick(m_result.rows);
    return !m_fail_fast;
  }

  [[nodiscard]] const BatchResult& result() const { return m_result; }
  // Call `sink` with every successful estimate (and the sweep's values), e.g. for --plot.
  void on_estimate(std::function<void(const Estimate&, const std::vector<std::string>*)> sink) {
    m_sink = std::move(sink);
  }

 private:
  const Catalog& m_cat;
  const BudgetOptions& m_budget;
  RowWriter& m_writer;
  Progress& m_progress;
  bool m_fail_fast;
  BatchResult m_result;
  std::function<void(const Estimate&, const std::vector<std::string>*)> m_sink;
  EstimateCache m_cache;  // rows repeating a configuration with other token counts reuse its ranges
};

// The "id" of a row that failed before its scenario was complete, when it can be found.
json fallback_id_jsonl(const Scenario& s, std::string_view text, std::size_t line) {
  if (s.id) {
    return s.id->value;
  }
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_object()) {
    const auto it = doc.find("id");
    if (it != doc.end() && it->is_string()) {
      return it->get<std::string>();
    }
    if (it != doc.end() && it->is_number()) {
      return it->dump();
    }
  }
  return line;
}

// Read the next physical line that is not blank; return false at the end.
bool next_nonblank(std::istream& in, std::string& line, std::size_t& lineno) {
  while (std::getline(in, line)) {
    ++lineno;
    if (!is_blank(line)) {
      return true;
    }
  }
  return false;
}

void run_jsonl(std::istream& in, std::string first, std::size_t lineno, const BatchOptions& o, Engine& eng) {
  std::string line = std::move(first);
  std::string name;
  Scenario s;  // assigned from the base each row, reusing its strings' storage
  do {
    chomp_cr(line);
    s = o.base;
    name = "line " + std::to_string(lineno);
    try {
      apply_config_json(s, line, name);
    } catch (const InputError& ex) {
      std::string msg = ex.what();
      if (msg.rfind(name + ":1:", 0) == 0) {  // "line N:1:COL: malformed JSON" -> "line N: column COL: ..."
        msg = name + ": column " + msg.substr(name.size() + 3);
      }
      if (!eng.fail(fallback_id_jsonl(s, line, lineno), lineno, msg, nullptr)) {
        return;
      }
      continue;
    }
    if (!eng.row(s, lineno, nullptr)) {
      return;
    }
  } while (next_nonblank(in, line, lineno));
}

void run_json_array(std::istream& in, const std::string& first, std::size_t lineno, const BatchOptions& o,
                    Engine& eng) {
  // Not streamed: the whole array is parsed at once (documented).
  std::string text(lineno - 1, '\n');
  text += first;
  text += '\n';
  std::vector<char> chunk(1 << 16);
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
    text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
  }
  const json doc = parse_json(text, o.input_name);
  text.clear();
  text.shrink_to_fit();
  if (!doc.is_array()) {
    throw InputError(o.input_name + ": expected a JSON array of objects, got " +
                     std::string(json_type_name(doc)));
  }
  std::size_t n = 0;
  for (const auto& item : doc) {
    ++n;
    Scenario s = o.base;
    const std::string name = "line " + std::to_string(n);
    try {
      if (!item.is_object()) {
        throw InputError(name + ": expected an object, got " + std::string(json_type_name(item)));
      }
      apply_config_json(s, item.dump(), name);
    } catch (const InputError& ex) {
      json id = n;
      if (s.id) {
        id = s.id->value;
      } else if (item.is_object() && item.contains("id") && item["id"].is_string()) {
        id = item["id"].get<std::string>();
      }
      if (!eng.fail(id, n, ex.what(), nullptr)) {
        return;
      }
      continue;
    }
    if (!eng.row(s, n, nullptr)) {
      return;
    }
  }
}

// Read one CSV record starting with `line` (already read), joining physical lines while a
// quoted field is open. Return false when the record's quote never closes.
bool complete_csv_record(std::istream& in, std::string& line, std::size_t& lineno) {
  auto quotes = [](const std::string& s) {
    std::size_t n = 0;
    for (char c : s) {
      n += c == '"' ? 1U : 0U;
    }
    return n;
  };
  std::size_t q = quotes(line);
  std::string more;
  while (q % 2 == 1) {
    if (!std::getline(in, more)) {
      return false;
    }
    ++lineno;
    line += '\n';
    line += more;
    q += quotes(more);
  }
  chomp_cr(line);
  return true;
}

void run_csv(std::istream& in, std::string first, std::size_t lineno, const BatchOptions& o, Engine& eng,
             RowWriter& writer) {
  std::string line = std::move(first);
  std::vector<std::string> header;
  std::vector<std::string> fields;
  std::size_t ignored = 0;
  const std::size_t header_line = lineno;
  if (!complete_csv_record(in, line, lineno)) {
    throw InputError(o.input_name + ": line " + std::to_string(header_line) +
                     ": unterminated quote in the header");
  }
  {
    CsvReader r(line);
    r.next(header, ignored);
  }
  std::vector<std::string> keys;
  for (const auto& f : scenario_fields()) {
    keys.emplace_back(f.key);
  }
  std::size_t id_col = header.size();
  for (std::size_t i = 0; i < header.size(); ++i) {
    header[i] = std::string(trim(header[i]));
    if (find_field(header[i]) == nullptr) {
      throw InputError(o.input_name + ": line " + std::to_string(header_line) + ": unknown column '" +
                       header[i].substr(0, 40) + "'" + did_you_mean(header[i], keys));
    }
    for (std::size_t k = 0; k < i; ++k) {
      if (header[k] == header[i]) {
        throw InputError(o.input_name + ": line " + std::to_string(header_line) + ": duplicate column '" +
                         header[i] + "'");
      }
    }
    if (header[i] == "id") {
      id_col = i;
    }
  }
  writer.begin();
  while (next_nonblank(in, line, lineno)) {
    const std::size_t start = lineno;
    Scenario s = o.base;
    json id = start;
    try {
      if (!complete_csv_record(in, line, lineno)) {
        throw InputError("unterminated quoted field");
      }
      CsvReader r(line);
      r.next(fields, ignored);
      if (id_col < fields.size() && !fields[id_col].empty()) {
        id = fields[id_col];
      }
      if (fields.size() != header.size()) {
        throw InputError(
            fmt::format("expected {} fields (as in the header), got {}", header.size(), fields.size()));
      }
      for (std::size_t i = 0; i < fields.size(); ++i) {
        if (!fields[i].empty()) {
          set_field(s, header[i], fields[i], Origin::config);
        }
      }
    } catch (const InputError& ex) {
      if (!eng.fail(id, start, ex.what(), nullptr)) {
        return;
      }
      continue;
    }
    if (!eng.row(s, start, nullptr)) {
      return;
    }
  }
}

// ---- sweep values ----

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t b = 0;
  while (true) {
    const auto e = s.find(sep, b);
    out.emplace_back(trim(s.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b)));
    if (e == std::string_view::npos) {
      return out;
    }
    b = e + 1;
  }
}

double parse_sweep_number(FieldKind kind, std::string_view text, const std::string& what) {
  switch (kind) {
    case FieldKind::energy:
      return parse_energy_kwh(text, what);
    case FieldKind::mass:
      return parse_mass_kg(text, what);
    case FieldKind::count:
    case FieldKind::range:
      return parse_count(text, what);
    case FieldKind::text:
    case FieldKind::boolean:
      break;
  }
  throw InputError(what + ": a sweep range needs a numeric key");
}

bool is_sweep_range(std::string_view item) {
  const auto parts = split(item, ':');
  return parts.size() == 3 && !parts[2].empty() && (parts[2][0] == 'x' || parts[2][0] == '+');
}

std::string number_text(double v) {
  return fmt::format("{}", v);
}

void expand_range(const FieldSpec& f, std::string_view item, std::vector<std::string>& out) {
  const std::string what(f.key);
  const auto parts = split(item, ':');
  const double start = parse_sweep_number(f.kind, parts[0], what);
  const double stop = parse_sweep_number(f.kind, parts[1], what);
  const bool geometric = parts[2][0] == 'x';
  const double by = parse_count(std::string_view(parts[2]).substr(1), what);
  const std::string shown = std::string(item.substr(0, 60));
  if (start > stop) {
    throw InputError(what + ": invalid sweep range '" + shown + "': start is greater than stop");
  }
  const double tol = 1e-9 * std::max(std::fabs(stop), std::fabs(start));
  double count = 0;
  if (geometric) {
    if (!(by > 1)) {
      throw InputError(what + ": invalid sweep range '" + shown + "': the factor must be greater than 1");
    }
    if (!(start > 0)) {
      throw InputError(what + ": invalid sweep range '" + shown +
                       "': a geometric range must start above zero");
    }
    count = std::floor(std::log(stop / start) / std::log(by) + 1e-9) + 1;
  } else {
    if (!(by > 0)) {
      throw InputError(what + ": invalid sweep range '" + shown + "': the step must be greater than zero");
    }
    count = std::floor((stop - start) / by + 1e-9) + 1;
  }
  if (!(count >= 1) || count > static_cast<double>(k_max_sweep_combinations)) {
    throw InputError(what + ": sweep range '" + shown + "' has more than " +
                     std::to_string(k_max_sweep_combinations) + " values");
  }
  const auto n = static_cast<std::size_t>(count);
  for (std::size_t i = 0; i < n; ++i) {
    const double k = static_cast<double>(i);
    double v = geometric ? start * std::pow(by, k) : start + k * by;
    if (v > stop + tol) {
      break;
    }
    if (std::fabs(v - stop) <= tol) {
      v = stop;
    }
    out.push_back(number_text(v));
  }
  // The count's floor may fall one short when the last step lands within tolerance of stop.
  const double next =
      geometric ? start * std::pow(by, static_cast<double>(n)) : start + static_cast<double>(n) * by;
  if (next <= stop + tol) {
    out.push_back(number_text(stop));
  }
}

// ---- catalog and input/output ----

// A streambuf over a file descriptor, so that standard input is read in large blocks.
class FdInBuf : public std::streambuf {
 public:
  explicit FdInBuf(int fd) : m_fd(fd), m_buf(1 << 16) {}

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) {
      return traits_type::to_int_type(*gptr());
    }
    ssize_t n = 0;
    do {
      n = ::read(m_fd, m_buf.data(), m_buf.size());
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
      return traits_type::eof();
    }
    setg(m_buf.data(), m_buf.data(), m_buf.data() + n);
    return traits_type::to_int_type(*gptr());
  }

 private:
  int m_fd;
  std::vector<char> m_buf;
};

struct CommandState {
  CLI::App* cmd = nullptr;
  std::map<std::string, std::string> values;
  bool recompute = false;
  BudgetOptions budget;
  std::string format;
  std::string output;
  std::vector<std::string> hardware_files;
  std::vector<std::string> regions_files;
  bool fail_fast = false;
};

void register_common(CommandState& c, const char* formats_help, std::vector<std::string> formats) {
  auto* cmd = c.cmd;
  add_scenario_flags(*cmd, c.values, c.recompute);
  cmd->add_option("--budget-on", c.budget.budget_on,
                  "compare budgets with the central value or the top of the range")
      ->check(CLI::IsMember({"central", "high"}));
  cmd->add_option("--warn-at", c.budget.warn_at,
                  "warn when a figure reaches this share of its budget, e.g. 80%");
  cmd->add_option("--format", c.format, formats_help)->check(CLI::IsMember(std::move(formats)));
  cmd->add_option("--output,-o", c.output, "write to FILE (through a temporary file and a rename)")
      ->type_name("FILE");
  cmd->add_flag("--fail-fast", c.fail_fast, "stop at the first bad row (its error row is still written)");
  cmd->add_option("--hardware-file", c.hardware_files,
                  "JSON file adding or overriding hardware entries (same format as configs/hardware.json)")
      ->type_name("FILE");
  cmd->add_option("--regions-file", c.regions_files,
                  "JSON file adding or overriding regions and operators (format of configs/regions.json)")
      ->type_name("FILE");
}

void validate_budget_options(const BudgetOptions& b) {
  (void)check_budgets(Scenario{}, Estimate{}, b);  // throws InputError for a bad --warn-at
}

bool progress_wanted(const std::ostream& err) {
  return &err == &std::cerr && ::isatty(STDERR_FILENO) == 1;
}

// Run `body(stream)` on `out` or on a file written atomically.
template <class F>
BatchResult with_output(const std::string& path, std::ostream& out, F&& body) {
  if (path.empty() || path == "-") {
    return body(out);
  }
  AtomicOutputFile file(path);
  BatchResult r = body(file.stream());
  file.commit();
  return r;
}

const char* k_batch_footer =
    R"(Input: JSONL (one JSON object of config keys per line, as in --config files), CSV (a
header row of config keys; an empty cell is not set) or a JSON array of objects, detected
from the first character ([ JSON array, { JSONL, else CSV) or set with --input-format.
Flags apply to every row unless the row sets that key. Rows come out in input order, each
with "id" (the row's id key, else its line number) and "line"; a bad row gets an "error"
and the run goes on. Blank lines are skipped and are not rows. JSONL and CSV are streamed
in constant memory; a JSON array is read whole. For a JSON array, "line" is the element's
1-based index.

Examples:
  llm-energy batch runs.jsonl > estimates.jsonl
  llm-energy batch runs.csv --format csv --hardware h100-sxm --region FR -o out.csv
  generate-rows | llm-energy batch --format csv --max-energy 500MWh --budget-on high

Exit codes: 0 ok, 1 some row over budget, 2 some row failed or bad usage, 3 internal error.)";

const char* k_sweep_footer =
    R"(Any estimate flag takes a comma list and/or ranges START:STOP:xFACTOR (geometric) or
START:STOP:+STEP (arithmetic), inclusive of STOP. A value whose third part does not start
with x or + is passed through as is (so --mfu 0.35:0.45 stays an uncertainty range).
Output: one column per swept key, then the batch CSV columns (id = 1-based index); JSONL
rows carry the swept values under "sweep". At most 10,000,000 combinations.

Examples:
  llm-energy sweep --params 1e9,7e9,70e9 --tokens 1e11:1e13:x10 --hardware a100-sxm4-80gb,h100-sxm
  llm-energy sweep --params 7e9 --tokens 1e12 --chips 64:1024:x2 --region FR,US,PL --format jsonl
  llm-energy sweep --params 70B --tokens 2T --mfu 0.3:0.6:+0.05 --max-energy 2GWh

Exit codes: 0 ok, 1 some row over budget, 2 some row failed or bad usage, 3 internal error.)";

}  // namespace

// ---- public API ----

BatchInput parse_batch_input(std::string_view text) {
  if (text.empty() || text == "auto") {
    return BatchInput::detect;
  }
  if (text == "jsonl") {
    return BatchInput::jsonl;
  }
  if (text == "csv") {
    return BatchInput::csv;
  }
  if (text == "json") {
    return BatchInput::json;
  }
  throw InputError("input-format: unknown format '" + std::string(text.substr(0, 20)) +
                   "' (use jsonl, csv or json)");
}

BatchOutput parse_batch_output(std::string_view text) {
  if (text == "jsonl") {
    return BatchOutput::jsonl;
  }
  if (text == "csv") {
    return BatchOutput::csv;
  }
  if (text == "json") {
    return BatchOutput::json;
  }
  throw InputError("format: unknown format '" + std::string(text.substr(0, 20)) +
                   "' (use jsonl, csv or json)");
}

int BatchResult::exit_code() const {
  if (failed > 0) {
    return 2;
  }
  return over_budget > 0 ? 1 : 0;
}

BatchResult run_batch(std::istream& in, std::ostream& out, std::ostream& err, const BatchOptions& o,
                      const Catalog& cat) {
  RowWriter writer(out, o.output, {});
  Progress progress(err, o.progress);
  Engine eng(cat, o.budget, writer, progress, o.fail_fast);

  std::string first;
  std::size_t lineno = 0;
  bool any = next_nonblank(in, first, lineno);
  if (any && lineno == 1 && first.rfind("\xEF\xBB\xBF", 0) == 0) {
    first.erase(0, 3);      // UTF-8 byte-order mark
    if (is_blank(first)) {  // a line holding only the mark (found by fuzz_batch)
      any = next_nonblank(in, first, lineno);
    }
  }
  BatchInput kind = o.input;
  if (kind == BatchInput::detect && any) {
    const auto at = first.find_first_not_of(" \t\r\f\v");
    const char c = at == std::string::npos ? ' ' : first[at];
    kind = c == '[' ? BatchInput::json : c == '{' ? BatchInput::jsonl : BatchInput::csv;
  }
  if (any && kind == BatchInput::json) {
    // Parse before writing anything, so a malformed array leaves no partial output.
    writer.begin();
    run_json_array(in, first, lineno, o, eng);
  } else if (any && kind == BatchInput::csv) {
    run_csv(in, std::move(first), lineno, o, eng, writer);  // checks the header, then begins
  } else {
    writer.begin();
    if (any) {
      run_jsonl(in, std::move(first), lineno, o, eng);
    }
  }
  writer.end();
  progress.done(eng.result().rows);
  return eng.result();
}

bool is_sweep_value(std::string_view text) {
  if (text.find(',') != std::string_view::npos) {
    return true;
  }
  return is_sweep_range(text);
}

std::vector<std::string> expand_sweep_value(std::string_view key, std::string_view text) {
  const FieldSpec* f = find_field(key);
  if (f == nullptr) {
    throw InputError("unknown key '" + std::string(key) + "'");
  }
  std::vector<std::string> out;
  for (const auto& item : split(text, ',')) {
    if (item.empty()) {
      throw InputError(std::string(key) + ": empty item in the list '" + std::string(text.substr(0, 60)) +
                       "'");
    }
    if (is_sweep_range(item)) {
      expand_range(*f, item, out);
    } else {
      out.push_back(item);
    }
    if (out.size() > k_max_sweep_combinations) {
      throw InputError(std::string(key) + ": more than " + std::to_string(k_max_sweep_combinations) +
                       " values");
    }
  }
  // Check every value once, so a typo is a usage error rather than a million error rows.
  Scenario scratch;
  for (const auto& v : out) {
    set_field(scratch, key, v, Origin::flag);
  }
  return out;
}

std::size_t sweep_size(const std::vector<SweepAxis>& axes) {
  std::size_t n = 1;
  for (const auto& a : axes) {
    if (a.values.empty()) {
      return 0;
    }
    if (n > k_max_sweep_combinations / a.values.size()) {
      throw InputError("sweep: more than " + std::to_string(k_max_sweep_combinations) +
                       " combinations; narrow the lists or ranges");
    }
    n *= a.values.size();
  }
  if (n > k_max_sweep_combinations) {
    throw InputError("sweep: more than " + std::to_string(k_max_sweep_combinations) +
                     " combinations; narrow the lists or ranges");
  }
  return n;
}

namespace {

// Set `s` to combination `n` (1-based; the last axis varies fastest) and fill `idx`/`extra`.
void seek_combination(const SweepOptions& o, std::size_t n, Scenario& s, std::vector<std::size_t>& idx,
                      std::vector<std::string>& extra) {
  std::size_t rest = n - 1;
  for (std::size_t a = o.axes.size(); a-- > 0;) {
    const auto& ax = o.axes[a];
    idx[a] = rest % ax.values.size();
    rest /= ax.values.size();
    extra[a] = ax.values[idx[a]];
    set_field(s, ax.key, extra[a], Origin::flag);
  }
}

// Advance the odometer by one, re-setting only the keys that changed.
void next_combination(const SweepOptions& o, Scenario& s, std::vector<std::size_t>& idx,
                      std::vector<std::string>& extra) {
  for (std::size_t a = o.axes.size(); a-- > 0;) {
    const auto& ax = o.axes[a];
    idx[a] = idx[a] + 1 == ax.values.size() ? 0 : idx[a] + 1;
    extra[a] = ax.values[idx[a]];
    set_field(s, ax.key, extra[a], Origin::flag);
    if (idx[a] != 0) {
      break;
    }
  }
}

// The sweep on several threads: combinations in chunks, each rendered by a worker with its
// own engine and cache, written in order by this thread (rows out are exactly the sequential
// run's). At most a window of finished chunks waits in memory.
BatchResult run_sweep_parallel(std::ostream& out, std::ostream& err, const SweepOptions& o,
                               const Catalog& cat, unsigned threads, const std::vector<std::string>& keys) {
  constexpr std::size_t k_chunk = 4096;
  const std::size_t total = sweep_size(o.axes);
  const std::size_t chunks = (total + k_chunk - 1) / k_chunk;
  const std::size_t window = 4 * static_cast<std::size_t>(threads);
  struct Done {
    std::string text;
    BatchResult result;
    bool ready = false;
  };
  std::vector<Done> done(chunks);
  std::mutex mu;
  std::condition_variable cv;
  std::size_t written = 0;  // chunks written (guarded by mu)
  bool stop = false;        // a worker failed (guarded by mu)
  std::exception_ptr failure;
  std::atomic<std::size_t> next{0};

  auto work = [&] {
    try {
      std::ostringstream text;
      RowWriter w(text, o.output, keys);
      Progress quiet(err, false);
      Engine eng(cat, o.budget, w, quiet, false);
      Scenario s = o.base;
      std::vector<std::size_t> idx(o.axes.size(), 0);
      std::vector<std::string> extra(o.axes.size());
      while (true) {
        const std::size_t c = next.fetch_add(1);
        if (c >= chunks) {
          return;
        }
        {
          std::unique_lock<std::mutex> lock(mu);
          cv.wait(lock, [&] { return c < written + window || stop; });
          if (stop) {
            return;
          }
        }
        const BatchResult before = eng.result();
        const std::size_t first = c * k_chunk + 1;
        const std::size_t last = std::min(total, first + k_chunk - 1);
        seek_combination(o, first, s, idx, extra);
        for (std::size_t n = first; n <= last; ++n) {
          (void)eng.row(s, n, &extra, false);
          if (n != last) {
            next_combination(o, s, idx, extra);
          }
        }
        w.end();  // flushes (CSV and JSONL have no closing text)
        Done d;
        d.text = text.str();
        text.str({});
        d.result.rows = eng.result().rows - before.rows;
        d.result.failed = eng.result().failed - before.failed;
        d.result.over_budget = eng.result().over_budget - before.over_budget;
        d.ready = true;
        {
          const std::lock_guard<std::mutex> lock(mu);
          done[c] = std::move(d);
        }
        cv.notify_all();
      }
    } catch (...) {
      const std::lock_guard<std::mutex> lock(mu);
      if (!failure) {
        failure = std::current_exception();
      }
      stop = true;
      cv.notify_all();
    }
  };

  RowWriter header(out, o.output, keys);
  header.begin();
  Progress progress(err, o.progress);
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back(work);
  }
  // Stop and join the workers however this thread leaves (an exception here must not destroy
  // joinable threads).
  struct Joiner {
    std::vector<std::thread>& pool;
    std::mutex& mu;
    std::condition_variable& cv;
    bool& stop;
    ~Joiner() {
      {
        const std::lock_guard<std::mutex> lock(mu);
        stop = true;
      }
      cv.notify_all();
      for (auto& t : pool) {
        if (t.joinable()) {
          t.join();
        }
      }
    }
  };
  BatchResult total_result;
  {
    const Joiner joiner{pool, mu, cv, stop};
    for (std::size_t c = 0; c < chunks; ++c) {
      std::string text;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return done[c].ready || stop; });
        if (stop) {
          break;
        }
        text = std::move(done[c].text);
        total_result.rows += done[c].result.rows;
        total_result.failed += done[c].result.failed;
        total_result.over_budget += done[c].result.over_budget;
        done[c] = Done{};
        done[c].ready = true;
      }
      out.write(text.data(), static_cast<std::streamsize>(text.size()));
      out.flush();
      {
        const std::lock_guard<std::mutex> lock(mu);
        written = c + 1;
      }
      cv.notify_all();
      progress.tick_to(total_result.rows);
    }
  }  // joins the workers
  if (failure) {
    std::rethrow_exception(failure);
  }
  progress.done(total_result.rows);
  return total_result;
}

}  // namespace

unsigned sweep_threads(unsigned requested, std::size_t combinations) {
  constexpr std::size_t k_min_parallel = 16384;  // below this, threads cost more than they save
  if (combinations < k_min_parallel) {
    return 1;
  }
  if (requested > 0) {
    return requested;
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return std::clamp(hw, 1U, 64U);
}

BatchResult run_sweep(std::ostream& out, std::ostream& err, const SweepOptions& o, const Catalog& cat) {
  const std::size_t total = sweep_size(o.axes);
  {
    // Threads when the run allows it: not with --fail-fast (it stops at a row), --plot (it
    // collects every estimate) or a JSON array (one document).
    const unsigned threads = sweep_threads(o.threads, total);
    if (threads > 1 && !o.fail_fast && !o.on_estimate && o.output != BatchOutput::json) {
      std::vector<std::string> keys;
      for (const auto& a : o.axes) {
        keys.push_back(a.key);
      }
      return run_sweep_parallel(out, err, o, cat, threads, keys);
    }
  }
  std::vector<std::string> keys;
  for (const auto& a : o.axes) {
    keys.push_back(a.key);
  }
  RowWriter writer(out, o.output, keys);
  Progress progress(err, o.progress);
  Engine eng(cat, o.budget, writer, progress, o.fail_fast);
  if (o.on_estimate) {
    eng.on_estimate([&](const Estimate& e, const std::vector<std::string>* extra) {
      o.on_estimate(e, extra != nullptr ? *extra : std::vector<std::string>{});
    });
  }
  writer.begin();
  std::vector<std::size_t> idx(o.axes.size(), 0);
  std::vector<std::string> extra(o.axes.size());
  Scenario s = o.base;
  seek_combination(o, 1, s, idx, extra);
  for (std::size_t n = 1; n <= total; ++n) {
    if (!eng.row(s, n, &extra, false)) {
      break;
    }
    if (n != total) {
      next_combination(o, s, idx, extra);
    }
  }
  writer.end();
  progress.done(eng.result().rows);
  return eng.result();
}

// ---- CLI wiring ----

struct BatchCommands::State {
  CommandState batch;
  CommandState sweep;
  std::string input = "-";
  std::string input_format = "auto";
  std::string sweep_plot;
  unsigned sweep_threads = 0;  // 0: one per core
};

BatchCommands::BatchCommands(std::unique_ptr<State> state) : m_state(std::move(state)) {}
BatchCommands::BatchCommands(BatchCommands&&) noexcept = default;
BatchCommands& BatchCommands::operator=(BatchCommands&&) noexcept = default;
BatchCommands::~BatchCommands() = default;

BatchCommands register_batch_commands(CLI::App& app) {
  auto st = std::make_unique<BatchCommands::State>();
  auto& b = st->batch;
  b.format = "jsonl";
  b.cmd = app.add_subcommand("batch", "Estimate many scenarios from JSONL, CSV or a JSON array, streamed");
  b.cmd->add_option("FILE", st->input, "input file; '-' or omitted reads standard input")
      ->type_name("FILE|-");
  b.cmd->add_option("--input-format", st->input_format, "input format (default: detected from the content)")
      ->check(CLI::IsMember({"auto", "jsonl", "csv", "json"}));
  register_common(b, "output format (default jsonl)", {"jsonl", "csv", "json"});
  b.cmd->footer(k_batch_footer);

  auto& s = st->sweep;
  s.format = "csv";
  s.cmd =
      app.add_subcommand("sweep", "Estimate the cartesian product of lists and ranges of any estimate flag");
  register_common(s, "output format (default csv)", {"csv", "jsonl"});
  s.cmd
      ->add_option("--plot", st->sweep_plot,
                   "also write an SVG chart of facility energy against the first swept flag to FILE.svg "
                   "(one line per combination of the others)")
      ->type_name("FILE.svg");
  s.cmd
      ->add_option("--threads", st->sweep_threads,
                   "worker threads (default: one per core; sweeps of fewer than 16384 combinations, "
                   "--fail-fast and --plot use one); the output is the same")
      ->type_name("N")
      ->check(CLI::Range(1, 256));
  s.cmd->footer(k_sweep_footer);
  return BatchCommands(std::move(st));
}

namespace {

Scenario base_from_flags(CommandState& c, std::vector<SweepAxis>* axes) {
  Scenario base;
  for (const auto& f : scenario_fields()) {
    const std::string key(f.key);
    if (key == "id") {
      continue;
    }
    if (f.kind == FieldKind::boolean) {
      if (c.recompute) {
        set_field(base, key, "true", Origin::flag);
      }
    } else if (c.cmd->count(flag_name(key)) > 0) {
      const std::string& v = c.values[key];
      if (axes != nullptr && is_sweep_value(v)) {
        axes->push_back({key, expand_sweep_value(key, v)});
      } else {
        set_field(base, key, v, Origin::flag);
      }
    }
  }
  return base;
}

}  // namespace

std::optional<int> BatchCommands::run_if_parsed(std::ostream& out, std::ostream& err) {
  State& st = *m_state;
  if (st.batch.cmd->parsed()) {
    auto& c = st.batch;
    BatchOptions o;
    o.base = base_from_flags(c, nullptr);
    o.input = parse_batch_input(st.input_format);
    o.output = parse_batch_output(c.format);
    o.budget = c.budget;
    o.fail_fast = c.fail_fast;
    o.progress = progress_wanted(err);
    o.input_name = st.input == "-" ? "<stdin>" : st.input;
    validate_budget_options(o.budget);
    const CatalogHandle cat = load_catalog_files(c.hardware_files, c.regions_files);

    std::unique_ptr<std::streambuf> stdin_buf;
    std::ifstream file;
    std::istream* in = nullptr;
    std::istream stdin_stream(nullptr);
    if (st.input == "-") {
      stdin_buf = std::make_unique<FdInBuf>(STDIN_FILENO);
      stdin_stream.rdbuf(stdin_buf.get());
      in = &stdin_stream;
    } else {
      std::error_code ec;
      const auto status = std::filesystem::status(st.input, ec);
      if (ec || !std::filesystem::exists(status)) {
        throw InputError(st.input + ": no such file");
      }
      if (std::filesystem::is_directory(status)) {
        throw InputError(st.input + ": is a directory, not a file");
      }
      file.open(st.input, std::ios::binary);
      if (!file) {
        throw InputError(st.input + ": cannot be read (" + std::strerror(errno) + ")");
      }
      in = &file;
    }
    const BatchResult r = with_output(
        c.output, out, [&](std::ostream& o_stream) { return run_batch(*in, o_stream, err, o, *cat.cat); });
    if (in->bad()) {
      throw InputError(o.input_name + ": read error");
    }
    return r.exit_code();
  }
  if (st.sweep.cmd->parsed()) {
    auto& c = st.sweep;
    SweepOptions o;
    o.base = base_from_flags(c, &o.axes);
    (void)sweep_size(o.axes);  // the explosion guard, before any output
    o.output = parse_batch_output(c.format);
    o.budget = c.budget;
    o.fail_fast = c.fail_fast;
    o.progress = progress_wanted(err);
    o.threads = st.sweep_threads;
    validate_budget_options(o.budget);
    const CatalogHandle cat = load_catalog_files(c.hardware_files, c.regions_files);
    std::vector<SweepPoint> points;
    if (!st.sweep_plot.empty()) {
      if (o.axes.empty()) {
        throw InputError("--plot needs at least one swept flag (a comma list or a range)");
      }
      if (sweep_size(o.axes) > k_max_plot_points) {
        throw InputError("--plot: more than " + std::to_string(k_max_plot_points) +
                         " combinations to draw; narrow the sweep");
      }
      o.on_estimate = [&](const Estimate& e, const std::vector<std::string>& values) {
        double kwh = 0;
        kwh += e.training ? e.training->energy_kwh : 0;
        kwh += e.inference ? e.inference->energy_kwh : 0;
        points.push_back({values, kwh});
      };
    }
    const BatchResult r = with_output(
        c.output, out, [&](std::ostream& o_stream) { return run_sweep(o_stream, err, o, *cat.cat); });
    if (!st.sweep_plot.empty()) {
      std::vector<std::string> keys;
      for (const auto& a : o.axes) {
        keys.push_back(a.key);
      }
      write_file_atomic(st.sweep_plot, sweep_chart(keys, points));
    }
    return r.exit_code();
  }
  return std::nullopt;
}

}  // namespace llm_energy::cli
