#include "batch/engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "batch/text.hpp"
#include "llm_energy/csv.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/json_util.hpp"
#include "llm_energy/suggest.hpp"

namespace llm_energy::batch {
namespace {

using json = nlohmann::ordered_json;

// The "id" of a row that failed before its scenario was complete, when it can be found.
// Sets `text` to the id when it can be found and returns the row's id.
RowId fallback_id_jsonl(const Scenario& s, std::string_view line_text, std::size_t line, std::string& text) {
  if (s.id) {
    text = s.id->value;
    return {&text, line};
  }
  const json doc = json::parse(line_text, nullptr, false);
  if (doc.is_object()) {
    const auto it = doc.find("id");
    if (it != doc.end() && it->is_string()) {
      text = it->get<std::string>();
      return {&text, line};
    }
    if (it != doc.end() && it->is_number()) {
      text = it->dump();
      return {&text, line};
    }
  }
  return {nullptr, line};
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
      std::string id_text;
      if (!eng.fail(fallback_id_jsonl(s, line, lineno, id_text), lineno, msg, nullptr)) {
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
      std::string id_text;
      RowId id{nullptr, n};
      if (s.id) {
        id_text = s.id->value;
        id.text = &id_text;
      } else if (item.is_object() && item.contains("id") && item["id"].is_string()) {
        id_text = item["id"].get<std::string>();
        id.text = &id_text;
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
    std::string id_text;
    RowId id{nullptr, start};
    try {
      if (!complete_csv_record(in, line, lineno)) {
        throw InputError("unterminated quoted field");
      }
      CsvReader r(line);
      r.next(fields, ignored);
      if (id_col < fields.size() && !fields[id_col].empty()) {
        id_text = fields[id_col];
        id.text = &id_text;
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

}  // namespace

// ---- the per-row engine shared by batch and sweep ----

Engine::Engine(const Catalog& cat, const BudgetPolicy& budget, RowWriter& w, Status& status, bool fail_fast)
    : m_cat(cat), m_budget(budget), m_writer(w), m_status(status), m_fail_fast(fail_fast) {}

void Engine::on_estimate(std::function<void(const Estimate&, const std::vector<std::string>*)> sink) {
  m_sink = std::move(sink);
}

bool Engine::row(const Scenario& s, std::size_t line, const std::vector<std::string>* extra, bool own_id) {
  try {
    const Budget budget = budget_of(s);
    const Estimate e = estimate(s, m_cat, &m_cache);
    const BudgetVerdict v = check_budgets(budget, e, m_budget);
    if (m_sink) {
      m_sink(e, extra);
    }
    m_writer.ok({own_id && s.id ? &s.id->value : nullptr, line}, line, e, v.any ? &v : nullptr, extra);
    ++m_result.rows;
    if (v.over) {
      ++m_result.over_budget;
    }
    m_status.rows_done(m_result.rows);
    return true;
  } catch (const InputError& ex) {
    return fail({own_id && s.id ? &s.id->value : nullptr, line}, line, ex.what(), extra);
  }
}

bool Engine::fail(RowId id, std::size_t line, std::string_view what, const std::vector<std::string>* extra) {
  m_writer.error(id, line, row_error(line, what), extra);
  ++m_result.rows;
  ++m_result.failed;
  if (m_result.first_failed_line == 0) {
    m_result.first_failed_line = line;
  }
  m_status.rows_done(m_result.rows);
  return !m_fail_fast;
}

int BatchResult::exit_code() const {
  if (failed > 0) {
    return 2;
  }
  return over_budget > 0 ? 1 : 0;
}

BatchResult& BatchResult::operator+=(const BatchResult& o) {
  rows += o.rows;
  failed += o.failed;
  over_budget += o.over_budget;
  if (first_failed_line == 0) {
    first_failed_line = o.first_failed_line;
  }
  return *this;
}

BatchResult run_batch(std::istream& in, std::ostream& out, Status& status, const BatchOptions& o,
                      const Catalog& cat) {
  RowWriter writer(out, o.output, {});
  Engine eng(cat, o.budget, writer, status, o.fail_fast);

  std::string first;
  std::size_t lineno = 0;
  bool any = next_nonblank(in, first, lineno);
  if (any && lineno == 1 && first.rfind("\xEF\xBB\xBF", 0) == 0) {
    first.erase(0, 3);      // UTF-8 byte-order mark
    if (is_blank(first)) {  // a line holding only the mark (found by fuzz_batch)
      any = next_nonblank(in, first, lineno);
    }
  }
  InputFormat kind = o.input;
  if (kind == InputFormat::detect && any) {
    const auto at = first.find_first_not_of(" \t\r\f\v");
    const char c = at == std::string::npos ? ' ' : first[at];
    kind = c == '[' ? InputFormat::json : c == '{' ? InputFormat::jsonl : InputFormat::csv;
  }
  if (any && kind == InputFormat::json) {
    // Parse before writing anything, so a malformed array leaves no partial output.
    writer.begin();
    run_json_array(in, first, lineno, o, eng);
  } else if (any && kind == InputFormat::csv) {
    run_csv(in, std::move(first), lineno, o, eng, writer);  // checks the header, then begins
  } else {
    writer.begin();
    if (any) {
      run_jsonl(in, std::move(first), lineno, o, eng);
    }
  }
  writer.end();
  status.finished(eng.result().rows);
  return eng.result();
}

}  // namespace llm_energy::batch
