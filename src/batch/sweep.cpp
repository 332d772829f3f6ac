#include "batch/sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>
#include <thread>

#include "batch/ordered_pool.hpp"
#include "batch/text.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/units.hpp"

namespace llm_energy::batch {
namespace {

double parse_sweep_number(FieldKind kind, std::string_view text, const std::string& what) {
  switch (kind) {
    case FieldKind::energy:
      return parse_energy_kwh(text, what);
    case FieldKind::mass:
      return parse_mass_kg(text, what);
    case FieldKind::fraction:
      return parse_fraction(text, what);
    case FieldKind::count:
    case FieldKind::range:
      return parse_count(text, what);
    case FieldKind::text:
    case FieldKind::choice:
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

}  // namespace

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
BatchResult run_sweep_parallel(std::ostream& out, Status& status, const SweepOptions& o, const Catalog& cat,
                               unsigned threads, const std::vector<std::string>& keys) {
  constexpr std::size_t k_chunk = 4096;
  const std::size_t total = sweep_size(o.axes);
  const std::size_t chunks = (total + k_chunk - 1) / k_chunk;
  struct Chunk {
    std::string text;
    BatchResult result;
  };
  RowWriter header(out, o.output, keys);
  header.begin();
  BatchResult all;
  auto make_worker = [&] {
    // Each worker: its own writer into a string buffer, its own engine and estimate cache.
    class Worker {
     public:
      Worker(const SweepOptions& opts, const Catalog& catalog, const std::vector<std::string>& swept,
             std::size_t combinations)
          : o(opts),
            total(combinations),
            w(text, opts.output, swept),
            eng(catalog, opts.budget, w, quiet, false),
            s(opts.base),
            idx(opts.axes.size(), 0),
            extra(opts.axes.size()) {}
      Worker(const Worker&) = delete;
      Worker& operator=(const Worker&) = delete;

      Chunk operator()(std::size_t c) {
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
        Chunk d;
        d.text = text.str();
        text.str({});
        d.result.rows = eng.result().rows - before.rows;
        d.result.failed = eng.result().failed - before.failed;
        d.result.over_budget = eng.result().over_budget - before.over_budget;
        if (before.first_failed_line == 0) {
          d.result.first_failed_line = eng.result().first_failed_line;
        }
        return d;
      }

     private:
      const SweepOptions& o;
      std::size_t total;
      std::ostringstream text;
      QuietStatus quiet;
      RowWriter w;
      Engine eng;
      Scenario s;
      std::vector<std::size_t> idx;
      std::vector<std::string> extra;
    };
    return std::make_shared<Worker>(o, cat, keys, total);
  };
  struct OutputFailed {};  // the output went bad: stop the workers, keep what was written
  if (header.failed()) {
    return all;
  }
  try {
    run_ordered<Chunk>(
        chunks, threads, 4 * static_cast<std::size_t>(threads),
        [&] {
          auto w = make_worker();
          return [w](std::size_t c) { return (*w)(c); };
        },
        [&](Chunk&& d) {
          out.write(d.text.data(), static_cast<std::streamsize>(d.text.size()));
          out.flush();
          if (out.fail()) {
            throw OutputFailed{};
          }
          all += d.result;
          status.rows_done(all.rows);
        });
  } catch (const OutputFailed&) {
    return all;
  }
  status.finished(all.rows);
  return all;
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

BatchResult run_sweep(std::ostream& out, Status& status, const SweepOptions& o, const Catalog& cat) {
  const std::size_t total = sweep_size(o.axes);
  {
    // Threads when the run allows it: not with --fail-fast (it stops at a row), --plot (it
    // collects every estimate) or a JSON array (one document).
    const unsigned threads = sweep_threads(o.threads, total);
    if (threads > 1 && !o.fail_fast && !o.on_estimate && o.output != OutputFormat::json) {
      std::vector<std::string> keys;
      for (const auto& a : o.axes) {
        keys.push_back(a.key);
      }
      return run_sweep_parallel(out, status, o, cat, threads, keys);
    }
  }
  std::vector<std::string> keys;
  for (const auto& a : o.axes) {
    keys.push_back(a.key);
  }
  RowWriter writer(out, o.output, keys);
  Engine eng(cat, o.budget, writer, status, o.fail_fast);
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
  status.finished(eng.result().rows);
  return eng.result();
}

}  // namespace llm_energy::batch
