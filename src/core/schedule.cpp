#include "llm_energy/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "llm_energy/csv.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/units.hpp"

namespace llm_energy::whatif {
namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

}  // namespace

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2 ? 1 : 0), m, d};
}

std::int64_t parse_utc(std::string_view text, std::string_view what) {
  const std::string shown(text.substr(0, 40));
  auto fail = [&]() -> std::int64_t {
    throw InputError(std::string(what) + ": '" + shown +
                     "' is not an ISO 8601 UTC time like 2024-03-01T00:00:00Z");
  };
  auto digits = [&](std::size_t pos, std::size_t n) -> long {
    if (pos + n > text.size()) {
      fail();
    }
    long v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') {
        fail();
      }
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  auto expect = [&](std::size_t pos, char c) {
    if (pos >= text.size() || text[pos] != c) {
      fail();
    }
  };
  const long y = digits(0, 4);
  expect(4, '-');
  const long mo = digits(5, 2);
  expect(7, '-');
  const long d = digits(8, 2);
  if (text.size() <= 10 || (text[10] != 'T' && text[10] != ' ')) {
    fail();
  }
  const long h = digits(11, 2);
  expect(13, ':');
  const long mi = digits(14, 2);
  std::size_t pos = 16;
  long sec = 0;
  if (pos < text.size() && text[pos] == ':') {
    sec = digits(pos + 1, 2);
    pos += 3;
  }
  const std::string_view zone = text.substr(std::min(pos, text.size()));
  if (zone != "Z" && zone != "+00:00" && zone != "+0000") {
    fail();
  }
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) {
    fail();
  }
  static constexpr int k_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > k_days[mo - 1] || (mo == 2 && d == 29 && !leap)) {
    fail();
  }
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return days * 86400 + h * 3600 + mi * 60 + sec;
}

std::string format_utc(std::int64_t t) {
  std::int64_t days = t / 86400;
  std::int64_t rem = t % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  const CivilDate c = civil_from_days(days);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(c.year),
                c.month, c.day, static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                static_cast<long long>(rem % 60));
  return buf;
}

IntensitySeries parse_intensity_csv(std::string_view text, std::string_view name, std::string region) {
  CsvReader reader(text);
  std::vector<std::string> fields;
  std::size_t line = 0;
  const std::string n(name);
  if (!reader.next(fields, line)) {
    throw InputError(n + ": empty file (expected a header timestamp,carbon_intensity)");
  }
  std::size_t ts_col = fields.size();
  std::size_t ci_col = fields.size();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    std::string f = fields[i];
    f.erase(0, f.find_first_not_of(" \t"));
    f.erase(f.find_last_not_of(" \t\r") + 1);
    if (f == "timestamp") {
      ts_col = i;
    } else if (f == "carbon_intensity") {
      ci_col = i;
    }
  }
  if (ts_col == fields.size() || ci_col == fields.size()) {
    throw InputError(n + ":" + std::to_string(line) +
                     ": missing column: the header must name timestamp and carbon_intensity");
  }
  IntensitySeries s;
  s.region = std::move(region);
  std::int64_t prev = 0;
  while (reader.next(fields, line)) {
    if (fields.size() == 1 && fields[0].find_first_not_of(" \t\r") == std::string::npos) {
      continue;  // blank line
    }
    const std::string where = n + ":" + std::to_string(line);
    if (fields.size() <= std::max(ts_col, ci_col)) {
      throw InputError(where + ": expected " + std::to_string(std::max(ts_col, ci_col) + 1) + " fields");
    }
    const std::int64_t t = parse_utc(fields[ts_col], where + ": timestamp");
    if (t % 3600 != 0) {
      throw InputError(where + ": timestamp " + fields[ts_col] +
                       " is not on the hour (the series is hourly)");
    }
    const double g = parse_plain_number(fields[ci_col], where + ": carbon_intensity");
    if (g < 0) {
      throw InputError(where + ": carbon_intensity must not be negative");
    }
    if (g > k_max_intensity_g_per_kwh) {
      throw InputError(where + ": carbon_intensity " + num(g) +
                       " is above 10000 gCO2e/kWh (no grid is; the dirtiest are about 1200)");
    }
    if (s.g_per_kwh.empty()) {
      s.start = t;
    } else if (t == prev) {
      throw InputError(where + ": duplicate timestamp " + fields[ts_col]);
    } else if (t < prev) {
      throw InputError(where + ": timestamps not sorted (" + fields[ts_col] + " after " + format_utc(prev) +
                       ")");
    } else if (t != prev + 3600) {
      throw InputError(where + ": gap in the hourly series: " + std::to_string((t - prev) / 3600 - 1) +
                       " missing hour(s) after " + format_utc(prev));
    }
    s.g_per_kwh.push_back(g);
    prev = t;
  }
  if (s.g_per_kwh.empty()) {
    throw InputError(n + ": no data rows");
  }
  return s;
}

namespace {

// The job occupies `duration_hours` from hour index `first`: `whole` full hours, then a part
// of the next one (dropped when the series has no next hour: then it is within the fit
// tolerance). Sum of intensity x hours, from prefix sums (prefix[i] = g[0] + ... + g[i-1]).
double window_g_hours(const std::vector<double>& g, const std::vector<long double>& prefix, std::size_t first,
                      std::size_t whole, double part) {
  double sum = static_cast<double>(prefix[first + whole] - prefix[first]);
  if (part > 0 && first + whole < g.size()) {
    sum += part * g[first + whole];
  }
  return sum;
}

std::vector<long double> prefix_sums(const std::vector<double>& g) {
  // Long double: over 500,000 hours the rounding of a plain running sum would reach ~1e-12 of a
  // short window's sum, the tolerance that decides ties between equal windows.
  std::vector<long double> p(g.size() + 1, 0.0L);
  for (std::size_t i = 0; i < g.size(); ++i) {
    p[i + 1] = p[i] + static_cast<long double>(g[i]);
  }
  return p;
}

// Tolerance on the fit of a job at the end of its window, in seconds.
constexpr double k_fit_tolerance_s = 1e-6;

bool valid_request(double duration_hours, double energy_kwh) {
  return duration_hours > 0 && std::isfinite(duration_hours) && energy_kwh >= 0 && std::isfinite(energy_kwh);
}

}  // namespace

double job_co2e_kg(const IntensitySeries& s, std::int64_t start, double duration_hours, double energy_kwh) {
  if (!valid_request(duration_hours, energy_kwh)) {
    throw InputError("job: the duration must be greater than zero and the energy not negative");
  }
  if (start < s.start || (start - s.start) % 3600 != 0 || start >= s.end()) {
    throw InputError("job: the start " + format_utc(start) + " is not an hour of the series " + s.region);
  }
  const auto first = static_cast<std::size_t>((start - s.start) / 3600);
  const double room_s = static_cast<double>(s.end() - start);
  if (duration_hours * 3600.0 > room_s + k_fit_tolerance_s) {
    throw InputError("job: " + num(duration_hours) + " h from " + format_utc(start) +
                     " runs past the end of " + s.region);
  }
  const double whole = std::floor(duration_hours);  // < the series' length: fits a size_t
  double g_hours = 0;                               // sum of intensity x hours
  const auto n = static_cast<std::size_t>(whole);
  for (std::size_t k = 0; k < n && first + k < s.g_per_kwh.size(); ++k) {
    g_hours += s.g_per_kwh[first + k];
  }
  const double part = duration_hours - whole;
  if (part > 0 && first + n < s.g_per_kwh.size()) {
    g_hours += part * s.g_per_kwh[first + n];
  }
  // energy x mean intensity: no overflow of energy / duration for a very short job.
  return energy_kwh * (g_hours / duration_hours) / 1000.0;
}

ScheduleResult schedule(const std::vector<IntensitySeries>& series, const ScheduleRequest& r) {
  if (!(r.duration_hours > 0) || !std::isfinite(r.duration_hours)) {
    throw InputError("duration: must be greater than zero");
  }
  if (!(r.energy_kwh >= 0) || !std::isfinite(r.energy_kwh)) {
    throw InputError("energy: must not be negative");
  }
  if (series.empty()) {
    throw InputError("schedule needs at least one --intensity file");
  }
  const double dur_s = r.duration_hours * 3600.0;
  ScheduleResult out;
  bool found = false;
  bool immediate = false;
  for (const auto& s : series) {
    std::int64_t first = s.start;
    if (r.earliest && *r.earliest > first) {
      first = s.start + (*r.earliest - s.start + 3599) / 3600 * 3600;  // next whole hour
    }
    std::int64_t limit = s.end();
    if (r.deadline) {
      limit = std::min(limit, *r.deadline);
    }
    const std::size_t size = s.g_per_kwh.size();
    if (first >= s.end() || static_cast<double>(limit - s.start) < dur_s - k_fit_tolerance_s) {
      continue;  // no room in this series (also keeps floor(duration) below its length)
    }
    // One pass with prefix sums: each start costs O(1), not O(duration).
    const std::vector<long double> prefix = prefix_sums(s.g_per_kwh);
    const double whole = std::floor(r.duration_hours);
    const auto n = static_cast<std::size_t>(whole);
    const double part = r.duration_hours - whole;
    const double room_s = static_cast<double>(limit - s.start) + k_fit_tolerance_s;
    bool first_fit = true;
    for (auto f = static_cast<std::size_t>((first - s.start) / 3600);
         f < size && f + n <= size && static_cast<double>(f) * 3600.0 + dur_s <= room_s; ++f) {
      const double g_hours = window_g_hours(s.g_per_kwh, prefix, f, n, part);
      const double co2e = r.energy_kwh * (g_hours / r.duration_hours) / 1000.0;
      const std::int64_t t = s.start + static_cast<std::int64_t>(f) * 3600;
      ++out.candidates;
      if (!found || co2e < out.best_co2e_kg - 1e-12 * std::max(1.0, out.best_co2e_kg)) {
        found = true;
        out.best_co2e_kg = co2e;
        out.best_start = t;
        out.best_region = s.region;
      }
      if (first_fit && !immediate) {
        immediate = true;
        out.immediate_co2e_kg = co2e;
        out.immediate_start = t;
        out.immediate_region = s.region;
      }
      first_fit = false;
    }
  }
  if (!found) {
    std::int64_t lo = std::numeric_limits<std::int64_t>::max();
    std::int64_t hi = std::numeric_limits<std::int64_t>::min();
    for (const auto& s : series) {
      lo = std::min(lo, s.start);
      hi = std::max(hi, s.end());
    }
    if (r.earliest) {
      lo = std::max(lo, *r.earliest);
    }
    if (r.deadline) {
      hi = std::min(hi, *r.deadline);
    }
    const double window_h = hi > lo ? static_cast<double>(hi - lo) / 3600.0 : 0.0;
    throw InputError("the window " + format_utc(lo) + " to " + format_utc(std::max(lo, hi)) + " (" +
                     num(window_h) + " h) is shorter than the job (" + num(r.duration_hours) + " h)");
  }
  if (!std::isfinite(out.best_co2e_kg) || !std::isfinite(out.immediate_co2e_kg)) {
    throw InputError("schedule: the job's CO2e is out of range (check the energy and the intensity values)");
  }
  out.savings_fraction = out.immediate_co2e_kg > 0 ? 1.0 - out.best_co2e_kg / out.immediate_co2e_kg : 0.0;
  return out;
}

}  // namespace llm_energy::whatif
