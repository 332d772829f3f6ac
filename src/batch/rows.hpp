#pragma once
// The output rows of batch and sweep: JSONL, CSV or a JSON array, one row per input row, as
// soon as it is computed. A row is an estimate (with its budget verdict) or an error.
#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "llm_energy/budget.hpp"
#include "llm_energy/estimate.hpp"

namespace llm_energy::batch {

enum class InputFormat { detect, jsonl, csv, json };
enum class OutputFormat { jsonl, csv, json };

[[nodiscard]] InputFormat parse_input_format(std::string_view text);
[[nodiscard]] OutputFormat parse_output_format(std::string_view text);

// A row's id: its own (a string), or its line number.
struct RowId {
  const std::string* text = nullptr;
  std::size_t number = 0;
};

class RowWriter {
 public:
  // `extra_keys`: the swept keys, written first (CSV) or under "sweep" (JSON).
  RowWriter(std::ostream& out, OutputFormat f, std::vector<std::string> extra_keys);

  void begin();
  // One estimated row; `budget` is null when no budget applies.
  void ok(RowId id, std::size_t line, const Estimate& e, const BudgetVerdict* budget,
          const std::vector<std::string>* extra);
  void error(RowId id, std::size_t line, const std::string& message, const std::vector<std::string>* extra);
  void end();
  // True once writing to the stream failed (disk full, a closed pipe): the rows after that are
  // dropped, and the engine stops computing them.
  [[nodiscard]] bool failed() const { return m_failed; }

 private:
  void start_csv(const std::vector<std::string>* extra);
  void append_uint(std::size_t v);
  void append_id(RowId id, bool json);
  void start_json();
  void json_extra(const std::vector<std::string>* extra);
  void end_row();
  void flush();

  std::ostream& m_out;
  OutputFormat m_format;
  std::vector<std::string> m_extra;
  std::string m_buf;
  std::size_t m_rows = 0;
  bool m_failed = false;
};

}  // namespace llm_energy::batch
