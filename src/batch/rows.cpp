#include "batch/rows.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

#include "llm_energy/error.hpp"
#include "render/estimate.hpp"

namespace llm_energy::batch {
namespace {

using json = nlohmann::ordered_json;
constexpr std::size_t k_flush_rows = 256;

// Compact JSON; text that is not valid UTF-8 (an id or value echoed from the input) gets
// U+FFFD instead of an exception.
std::string dump_text(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

InputFormat parse_input_format(std::string_view text) {
  if (text.empty() || text == "auto") {
    return InputFormat::detect;
  }
  if (text == "jsonl") {
    return InputFormat::jsonl;
  }
  if (text == "csv") {
    return InputFormat::csv;
  }
  if (text == "json") {
    return InputFormat::json;
  }
  throw InputError("input-format: unknown format '" + std::string(text.substr(0, 20)) +
                   "' (use jsonl, csv or json)");
}

OutputFormat parse_output_format(std::string_view text) {
  if (text == "jsonl") {
    return OutputFormat::jsonl;
  }
  if (text == "csv") {
    return OutputFormat::csv;
  }
  if (text == "json") {
    return OutputFormat::json;
  }
  throw InputError("format: unknown format '" + std::string(text.substr(0, 20)) +
                   "' (use jsonl, csv or json)");
}

RowWriter::RowWriter(std::ostream& out, OutputFormat f, std::vector<std::string> extra_keys)
    : m_out(out), m_format(f), m_extra(std::move(extra_keys)) {
  m_buf.reserve(1 << 16);
}

void RowWriter::begin() {
  if (m_format == OutputFormat::csv) {
    bool first = true;
    auto col = [&](const std::string& c) {
      if (!first) {
        m_buf += ',';
      }
      first = false;
      render::append_csv_field(m_buf, c);
    };
    for (const auto& k : m_extra) {
      col("sweep." + k);  // as JSONL's "sweep" object, and never the name of an estimate column
    }
    for (const char* c : {"id", "line", "error", "budget.within"}) {
      col(c);
    }
    for (const auto& c : render::csv_columns()) {
      col(c);
    }
    // The serving-fleet columns are always there (empty for a row without a fleet): one header
    // for every row of a stream whose rows are read after the header is written.
    for (const auto& c : render::fleet_csv_columns()) {
      col(c);
    }
    m_buf += '\n';
  } else if (m_format == OutputFormat::json) {
    m_buf += '[';
  }
  flush();
}

void RowWriter::append_id(RowId id, bool as_json) {
  if (id.text != nullptr) {
    if (as_json) {
      render::append_json_string(m_buf, *id.text);
    } else {
      render::append_csv_field(m_buf, *id.text);
    }
  } else {
    append_uint(id.number);
  }
}

void RowWriter::ok(RowId id, std::size_t line, const Estimate& e, const BudgetVerdict* budget,
                   const std::vector<std::string>* extra) {
  if (m_format == OutputFormat::csv) {
    start_csv(extra);
    append_id(id, false);
    m_buf += ',';
    append_uint(line);
    m_buf += ",,";
    if (budget != nullptr) {
      m_buf += budget->over ? "false" : "true";
    }
    render::append_csv_values(m_buf, e);
    render::append_fleet_csv_values(m_buf, e);
    end_row();
    return;
  }
  start_json();
  m_buf += "{\"id\":";
  append_id(id, true);
  m_buf += ",\"line\":";
  append_uint(line);
  json_extra(extra);
  m_buf += ',';
  render::append_json_members(m_buf, e);
  if (budget != nullptr) {
    m_buf += ",\"budget\":";
    m_buf += dump_text(render::budget_json(*budget));
  }
  m_buf += '}';
  end_row();
}

void RowWriter::error(RowId id, std::size_t line, const std::string& message,
                      const std::vector<std::string>* extra) {
  if (m_format == OutputFormat::csv) {
    start_csv(extra);
    append_id(id, false);
    m_buf += ',';
    append_uint(line);
    m_buf += ',';
    render::append_csv_field(m_buf, message);
    m_buf += ',';  // budget.within
    m_buf.append(render::csv_columns().size() + render::fleet_csv_columns().size(), ',');
    end_row();
    return;
  }
  start_json();
  m_buf += "{\"id\":";
  append_id(id, true);
  m_buf += ",\"line\":";
  append_uint(line);
  json_extra(extra);
  m_buf += ",\"error\":";
  render::append_json_string(m_buf, message);
  m_buf += '}';
  end_row();
}

void RowWriter::end() {
  if (m_format == OutputFormat::json) {
    m_buf += m_rows > 0 ? "\n]\n" : "]\n";
  }
  flush();
}

void RowWriter::start_csv(const std::vector<std::string>* extra) {
  if (extra != nullptr) {
    for (const auto& v : *extra) {
      render::append_csv_field(m_buf, v);
      m_buf += ',';
    }
  }
}

void RowWriter::append_uint(std::size_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  m_buf.append(buf, r.ptr);
}

void RowWriter::start_json() {
  if (m_format == OutputFormat::json) {
    m_buf += m_rows > 0 ? ",\n" : "\n";
  }
}

void RowWriter::json_extra(const std::vector<std::string>* extra) {
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

void RowWriter::end_row() {
  if (m_format != OutputFormat::json) {
    m_buf += '\n';
  }
  ++m_rows;
  if (m_rows % k_flush_rows == 0) {
    flush();
  }
}

void RowWriter::flush() {
  if (!m_failed) {
    m_out.write(m_buf.data(), static_cast<std::streamsize>(m_buf.size()));
    m_out.flush();
    m_failed = m_out.fail();
  }
  m_buf.clear();
}

}  // namespace llm_energy::batch
