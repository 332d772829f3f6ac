#pragma once
// A CSV dataset addressed by column name, with located errors (internal to the core: the
// validation and cross-validation readers).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llm_energy/csv.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/scenario.hpp"
#include "llm_energy/units.hpp"

namespace llm_energy::detail {

// A CSV table addressed by column name.
class Table {
 public:
  Table(std::string_view text, std::string_view name, const std::vector<std::string>& required)
      : m_name(name), m_reader(text) {
    std::size_t line = 0;
    if (!read(m_header, line)) {
      throw InputError(m_name + ": empty dataset");
    }
    for (std::size_t i = 0; i < m_header.size(); ++i) {
      m_index[m_header[i]] = i;
    }
    for (const auto& r : required) {
      if (m_index.find(r) == m_index.end()) {
        throw InputError(m_name + ": missing column '" + r + "'");
      }
    }
  }

  bool next() {
    while (read(m_row, m_line)) {
      if (m_row.size() == 1 && m_row[0].empty()) {
        continue;  // blank line
      }
      if (m_row.size() != m_header.size()) {
        throw InputError(m_name + ":" + std::to_string(m_line) + ": " + std::to_string(m_row.size()) +
                         " fields, the header has " + std::to_string(m_header.size()));
      }
      return true;
    }
    return false;
  }

  [[nodiscard]] std::string get(const std::string& col) const {
    auto it = m_index.find(col);
    return it == m_index.end() ? std::string() : m_row[it->second];
  }

  [[nodiscard]] std::optional<double> number(const std::string& col) const {
    const std::string v = get(col);
    if (v.empty()) {
      return std::nullopt;
    }
    try {
      return parse_count(v, col);
    } catch (const InputError& e) {
      throw InputError(where() + e.what());
    }
  }

  [[nodiscard]] double required(const std::string& col) const {
    auto v = number(col);
    if (!v) {
      throw InputError(where() + col + ": missing value");
    }
    return *v;
  }

  // A measured or published value: absent, or finite and greater than zero (a relative error
  // against zero or a negative value is meaningless).
  [[nodiscard]] std::optional<double> positive(const std::string& col) const {
    auto v = number(col);
    if (v && !(*v > 0 && *v < 1e300)) {
      throw InputError(where() + col + ": must be greater than zero (got '" + get(col) + "')");
    }
    return v;
  }

  [[nodiscard]] double required_positive(const std::string& col) const {
    auto v = positive(col);
    if (!v) {
      throw InputError(where() + col + ": missing value");
    }
    return *v;
  }

  [[nodiscard]] bool has(const std::string& col) const { return m_index.find(col) != m_index.end(); }

  [[nodiscard]] std::string where() const { return m_name + ":" + std::to_string(m_line) + ": "; }

  // Set `key` in `s` from column `col` when it has a value.
  void copy(Scenario& s, const std::string& col, const std::string& key) const {
    const std::string v = get(col);
    if (!v.empty()) {
      try {
        set_field(s, key, v, Origin::config);
      } catch (const InputError& e) {
        throw InputError(where() + e.what());
      }
    }
  }

 private:
  // The reader's errors ("line 7: unterminated quoted field") carry the dataset's name.
  bool read(std::vector<std::string>& fields, std::size_t& line) {
    try {
      return m_reader.next(fields, line);
    } catch (const InputError& e) {
      throw InputError(m_name + ": " + e.what());
    }
  }

  std::string m_name;
  CsvReader m_reader;
  std::vector<std::string> m_header;
  std::vector<std::string> m_row;
  std::map<std::string, std::size_t> m_index;
  std::size_t m_line = 0;
};

// Return the serving stack a dataset's `software` text names: "legacy" for vLLM before 0.6
// (host-bound steps), else "current".
[[nodiscard]] std::string serving_stack_of(std::string_view software);

// Return the mean batch of an inference point: avg_batch rounded, else max_batch, at least 1.
[[nodiscard]] double point_batch(const Table& t);

// Return the scenario of one inference point of a dataset (validate --inference and its
// cross-validation): its model shape, hardware, GPUs, precision, batch, token lengths and
// serving stack, PUE 1.
[[nodiscard]] Scenario inference_point_scenario(const Table& t);

}  // namespace llm_energy::detail
