#include "batch/engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "batch/text.hpp"
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

constexpr const char* k_too_long = "longer than 1 MiB (1048576 bytes); not read";

void run_jsonl(Input& in, const BatchOptions& o, Engine& eng) {
  std::string line;
  std::string name;
  bool too_long = false;
  Scenario s;  // assigned from the base each row, reusing its strings' storage
  while (in.nonblank_line(line, too_long)) {
    const std::size_t lineno = in.start_line();
    if (too_long) {
      if (!eng.fail({nullptr, lineno}, lineno, k_too_long, nullptr)) {
        return;
      }
      continue;
    }
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
  }
}

void run_json_array(Input& in, const BatchOptions& o, Engine& eng, RowWriter& writer) {
  // Not streamed: the whole array is parsed at once (documented). Blank lines before it keep
  // their count, so parse errors name the right line.
  std::string text(in.line_number() - 1, '\n');
  in.rest(text);
  const json doc = parse_json(text, o.input_name);
  text.clear();
  text.shrink_to_fit();
  if (!doc.is_array()) {
    throw InputError(o.input_name + ": expected a JSON array of objects, got " +
                     std::string(json_type_name(doc)));
  }
  writer.begin();
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

// CSV (RFC 4180, see Input::csv): the first record is the header of scenario keys; every
// later record that is not blank is one row, and a record that cannot be read is an error row
// with its line number, so rows out always equal rows in.
void run_csv(Input& in, const BatchOptions& o, Engine& eng, RowWriter& writer) {
  std::vector<std::string> header;
  std::vector<std::string> fields;
  std::string error;
  Input::Record rec = Input::Record::blank;
  while (rec == Input::Record::blank) {
    rec = in.csv(header, error);
  }
  const std::size_t header_line = in.start_line();
  const std::string where = o.input_name + ": line " + std::to_string(header_line) + ": ";
  if (rec == Input::Record::error) {
    throw InputError(where + "in the header: " + error);
  }
  std::vector<std::string> keys;
  for (const auto& f : scenario_fields()) {
    keys.emplace_back(f.key);
  }
  std::size_t id_col = header.size();
  for (std::size_t i = 0; i < header.size(); ++i) {
    header[i] = std::string(trim(header[i]));
    if (find_field(header[i]) == nullptr) {
      throw InputError(where + "unknown column '" + header[i].substr(0, 40) + "'" +
                       did_you_mean(header[i], keys));
    }
    for (std::size_t k = 0; k < i; ++k) {
      if (header[k] == header[i]) {
        throw InputError(where + "duplicate column '" + header[i] + "'");
      }
    }
    if (header[i] == "id") {
      id_col = i;
    }
  }
  writer.begin();
  while (true) {
    rec = in.csv(fields, error);
    if (rec == Input::Record::end) {
      return;
    }
    if (rec == Input::Record::blank) {
      continue;
    }
    const std::size_t start = in.start_line();
    Scenario s = o.base;
    std::string id_text;
    RowId id{nullptr, start};
    try {
      if (rec == Input::Record::error) {
        throw InputError(error);
      }
      // The id column's value (only a named column: an extra field is never the id).
      if (id_col < header.size() && id_col < fields.size() && !fields[id_col].empty()) {
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
    const Budget budget = tighter(m_budget.cap, budget_of(s));
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
    return !m_writer.failed();  // a dead output stops the run (no rows computed into it)
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
  m_result.stopped = m_fail_fast;
  return !m_fail_fast && !m_writer.failed();
}

int BatchResult::exit_code() const {
  if (failed > 0) {
    return 2;
  }
  return over_budget > 0 ? 1 : 0;
}

std::string summary(const BatchResult& r, std::string_view where) {
  const auto rows = [](std::size_t n) { return n == 1 ? std::string("row") : std::string("rows"); };
  if (r.failed > 0) {
    std::string s = fmt::format("{} of {} {} failed (the first at {} {})", r.failed, r.rows, rows(r.rows),
                                where, r.first_failed_line);
    if (r.over_budget > 0) {
      s += fmt::format("; {} over budget", r.over_budget);
    }
    if (r.stopped) {
      s += "; stopped there (--fail-fast)";
    }
    return s;
  }
  if (r.over_budget > 0) {
    return fmt::format("{} of {} {} over budget", r.over_budget, r.rows, rows(r.rows));
  }
  return {};
}

BatchResult& BatchResult::operator+=(const BatchResult& o) {
  rows += o.rows;
  failed += o.failed;
  over_budget += o.over_budget;
  stopped = stopped || o.stopped;
  if (first_failed_line == 0) {
    first_failed_line = o.first_failed_line;
  }
  return *this;
}

BatchResult run_batch(std::istream& in_stream, std::ostream& out, Status& status, const BatchOptions& o,
                      const Catalog& cat) {
  RowWriter writer(out, o.output, {});
  Engine eng(cat, o.budget, writer, status, o.fail_fast);
  Input in(in_stream);
  const int c = in.skip_blank();  // a byte-order mark, blank lines
  const bool any = c >= 0;
  InputFormat kind = o.input;
  if (kind == InputFormat::detect && any) {
    kind = c == '[' ? InputFormat::json : c == '{' ? InputFormat::jsonl : InputFormat::csv;
  }
  if (any && kind == InputFormat::json) {
    // Parse before writing anything, so a malformed array leaves no partial output.
    run_json_array(in, o, eng, writer);
  } else if (any && kind == InputFormat::csv) {
    run_csv(in, o, eng, writer);  // checks the header, then begins
  } else {
    writer.begin();
    if (any) {
      run_jsonl(in, o, eng);
    }
  }
  writer.end();
  status.finished(eng.result().rows);
  return eng.result();
}

}  // namespace llm_energy::batch
