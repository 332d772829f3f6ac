#include "llm_energy/catalog.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

#include "llm_energy/error.hpp"
#include "llm_energy/json_util.hpp"
#include "llm_energy/suggest.hpp"

namespace llm_energy::embedded {
std::string_view hardware();
std::string_view regions();
std::string_view models();
}  // namespace llm_energy::embedded

namespace llm_energy {
namespace {

using json = nlohmann::ordered_json;

constexpr std::array<std::string_view, 7> k_precision_names = {"fp32", "tf32", "bf16", "fp16",
                                                               "fp8",  "int8", "int4"};
constexpr std::array<std::string_view, 6> k_generation_fields = {
    "training_mfu", "avg_power_fraction",   "idle_power_fraction",
    "host_power_w", "host_embodied_kgco2e", "service_life_years"};

// Reading context: the file name and the path of the value, for messages.
struct Reader {
  std::string file;

  [[noreturn]] void fail(const std::string& where, const std::string& msg) const {
    throw InputError(file + ": " + where + ": " + msg);
  }

  const json& member(const json& obj, std::string_view key, const std::string& where) const {
    if (!obj.is_object()) {
      fail(where, "expected an object, got " + std::string(json_type_name(obj)));
    }
    auto it = obj.find(key);
    if (it == obj.end()) {
      fail(where, "missing key '" + std::string(key) + "'");
    }
    return *it;
  }

  double number(const json& v, const std::string& where) const {
    if (!v.is_number()) {
      fail(where, "expected a number, got " + std::string(json_type_name(v)));
    }
    const double d = v.get<double>();
    if (!std::isfinite(d)) {
      fail(where, "not a finite number");
    }
    return d;
  }

  std::string text(const json& v, const std::string& where) const {
    if (!v.is_string()) {
      fail(where, "expected a string, got " + std::string(json_type_name(v)));
    }
    return v.get<std::string>();
  }

  std::string opt_text(const json& obj, std::string_view key, const std::string& where) const {
    auto it = obj.find(key);
    return it == obj.end() ? std::string() : text(*it, where + "." + std::string(key));
  }

  int integer(const json& v, const std::string& where) const {
    const double d = number(v, where);
    if (d != std::floor(d) || d < 0 || d > 1e9) {
      fail(where, "expected a non-negative integer");
    }
    return static_cast<int>(d);
  }

  Datum datum(const json& v, const std::string& where) const {
    Datum d;
    if (v.is_number()) {  // a bare number is allowed in user files
      d.value = d.low = d.high = number(v, where);
      d.source = file;
      return d;
    }
    d.value = number(member(v, "value", where), where + ".value");
    d.low = v.contains("low") ? number(v["low"], where + ".low") : d.value;
    d.high = v.contains("high") ? number(v["high"], where + ".high") : d.value;
    if (!(d.low <= d.value && d.value <= d.high)) {
      fail(where, "needs low <= value <= high");
    }
    d.source = v.contains("source") ? text(v["source"], where + ".source") : file;
    d.year = v.contains("year") ? integer(v["year"], where + ".year") : 0;
    d.note = opt_text(v, "note", where);
    return d;
  }

  Datum positive(const json& obj, std::string_view key, const std::string& where) const {
    Datum d = datum(member(obj, key, where), where + "." + std::string(key));
    if (!(d.low > 0)) {
      fail(where + "." + std::string(key), "must be greater than zero");
    }
    return d;
  }
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Merge the entries of `overrides` (arrays of objects with "id") into `base[key]`.
// An entry whose id exists is merged key by key (JSON merge patch), so a user can override
// one figure; a new id is appended.
void merge_entries(json& base, const std::string& key, const CatalogText& override_text,
                   std::string_view top_schema) {
  json doc = parse_json(override_text.text, override_text.name);
  Reader r{override_text.name};
  if (!doc.is_object()) {
    r.fail("top level", "expected an object, got " + std::string(json_type_name(doc)));
  }
  if (doc.contains("schema") && doc["schema"] != top_schema) {
    r.fail("schema", "expected \"" + std::string(top_schema) + "\"");
  }
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it.key() == key || it.key() == "schema" || it.key() == "data_version" || it.key() == "notes") {
      continue;
    }
    if (it.value().is_object() && base.contains(it.key()) && base[it.key()].is_object()) {
      base[it.key()].merge_patch(it.value());  // generations, operators
    } else if (it.key() == "default_operator") {
      base[it.key()] = it.value();
    } else {
      r.fail(it.key(), "unknown top-level key" + did_you_mean(it.key(), {key, "generations", "operators",
                                                                         "default_operator", "schema"}));
    }
  }
  if (!doc.contains(key)) {
    return;
  }
  const json& entries = doc[key];
  if (!entries.is_array()) {
    r.fail(key, "expected an array, got " + std::string(json_type_name(entries)));
  }
  json& target = base[key];
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string where = key + "[" + std::to_string(i) + "]";
    const json& e = entries[i];
    const std::string id = r.text(r.member(e, "id", where), where + ".id");
    auto existing = std::find_if(target.begin(), target.end(), [&](const json& t) {
      return t.contains("id") && t["id"].is_string() && lower(t["id"].get<std::string>()) == lower(id);
    });
    if (existing != target.end()) {
      existing->merge_patch(e);
    } else {
      target.push_back(e);
    }
  }
}

Hardware read_hardware(const Reader& r, const json& e, const json& generations, const std::string& where) {
  Hardware h;
  h.id = r.text(r.member(e, "id", where), where + ".id");
  const std::string w = "hardware '" + h.id + "'";
  h.name = r.opt_text(e, "name", w);
  if (h.name.empty()) {
    h.name = h.id;
  }
  h.vendor = r.opt_text(e, "vendor", w);
  h.generation = r.text(r.member(e, "generation", w), w + ".generation");
  h.notes = r.opt_text(e, "notes", w);
  h.release_year = e.contains("release_year") ? r.integer(e["release_year"], w + ".release_year") : 0;
  h.tdp_w = r.positive(e, "tdp_w", w);
  const json& peaks = r.member(e, "peak_tflops", w);
  if (!peaks.is_object()) {
    r.fail(w + ".peak_tflops", "expected an object");
  }
  bool any = false;
  for (auto it = peaks.begin(); it != peaks.end(); ++it) {
    const auto name = std::find(k_precision_names.begin(), k_precision_names.end(), it.key());
    if (name == k_precision_names.end()) {
      r.fail(w + ".peak_tflops", "unknown precision '" + it.key() + "'");
    }
    if (it.value().is_null()) {
      continue;  // a user file may remove a precision with null
    }
    const auto idx = static_cast<std::size_t>(name - k_precision_names.begin());
    h.peak_tflops[idx] = r.positive(peaks, it.key(), w + ".peak_tflops");
    any = true;
  }
  if (!any) {
    r.fail(w + ".peak_tflops", "needs at least one precision");
  }
  if (e.contains("sparse_speedup") && !e["sparse_speedup"].is_null()) {
    h.sparse_speedup = r.positive(e, "sparse_speedup", w);
  }
  h.memory_gb = r.positive(e, "memory_gb", w);
  h.memory_bandwidth_gbps = r.positive(e, "memory_bandwidth_gbps", w);
  h.embodied_kgco2e = r.datum(r.member(e, "embodied_kgco2e", w), w + ".embodied_kgco2e");

  auto gen = generations.find(h.generation);
  if (gen == generations.end()) {
    std::vector<std::string> names;
    for (auto it = generations.begin(); it != generations.end(); ++it) {
      names.push_back(it.key());
    }
    r.fail(w + ".generation",
           "unknown generation '" + h.generation + "'" + did_you_mean(h.generation, names));
  }
  Datum* fields[] = {&h.training_mfu, &h.avg_power_fraction,   &h.idle_power_fraction,
                     &h.host_power_w, &h.host_embodied_kgco2e, &h.service_life_years};
  for (std::size_t i = 0; i < k_generation_fields.size(); ++i) {
    const std::string key(k_generation_fields[i]);
    if (e.contains(key)) {
      *fields[i] = r.datum(e[key], w + "." + key);
    } else {
      *fields[i] = r.datum(r.member(*gen, key, "generation '" + h.generation + "'"),
                           "generation '" + h.generation + "'." + key);
    }
  }
  auto check_fraction = [&](const Datum& d, const char* key, double max) {
    if (!(d.low > 0 && d.high <= max)) {
      r.fail(w + "." + key, "must lie in (0, " + std::to_string(max).substr(0, 3) + "]");
    }
  };
  check_fraction(h.training_mfu, "training_mfu", 1.0);
  check_fraction(h.avg_power_fraction, "avg_power_fraction", 1.5);
  check_fraction(h.idle_power_fraction, "idle_power_fraction", 1.0);
  if (h.host_power_w.low < 0 || h.host_embodied_kgco2e.low < 0 || h.embodied_kgco2e.low < 0) {
    r.fail(w, "host power and embodied carbon must not be negative");
  }
  if (!(h.service_life_years.low > 0)) {
    r.fail(w + ".service_life_years", "must be greater than zero");
  }
  return h;
}

Region read_region(const Reader& r, const json& e, const std::string& where) {
  Region g;
  g.id = r.text(r.member(e, "id", where), where + ".id");
  const std::string w = "region '" + g.id + "'";
  g.name = r.opt_text(e, "name", w);
  if (g.name.empty()) {
    g.name = g.id;
  }
  g.kind = r.opt_text(e, "kind", w);
  g.provider = r.opt_text(e, "provider", w);
  g.country = r.opt_text(e, "country", w);
  g.operator_id = r.opt_text(e, "operator", w);
  const json& ci = r.member(e, "carbon_intensity", w);
  g.carbon_intensity = r.datum(ci, w + ".carbon_intensity");
  if (g.carbon_intensity.low < 0) {
    r.fail(w + ".carbon_intensity", "must not be negative");
  }
  if (ci.is_object()) {
    g.basis = r.opt_text(ci, "basis", w + ".carbon_intensity");
  }
  return g;
}

ModelArch read_model(const Reader& r, const json& e, const std::string& where) {
  ModelArch m;
  m.id = r.text(r.member(e, "id", where), where + ".id");
  const std::string w = "model '" + m.id + "'";
  m.name = r.opt_text(e, "name", w);
  m.params = r.number(r.member(e, "params", w), w + ".params");
  m.active_params =
      e.contains("active_params") ? r.number(e["active_params"], w + ".active_params") : m.params;
  auto int_field = [&](const char* key, bool required) {
    if (!e.contains(key)) {
      if (required) {
        r.fail(w, std::string("missing key '") + key + "'");
      }
      return 0;
    }
    return r.integer(e[key], w + "." + key);
  };
  m.layers = int_field("layers", true);
  m.hidden_size = int_field("hidden_size", true);
  m.heads = int_field("heads", true);
  m.kv_heads = int_field("kv_heads", true);
  m.head_dim = int_field("head_dim", true);
  m.experts = int_field("experts", false);
  m.active_experts = int_field("active_experts", false);
  m.context_length = e.contains("context_length") ? r.number(e["context_length"], w) : 0;
  m.source = r.opt_text(e, "source", w);
  m.year = e.contains("year") ? r.integer(e["year"], w + ".year") : 0;
  m.note = r.opt_text(e, "note", w);
  if (!(m.params > 0 && m.active_params > 0 && m.active_params <= m.params)) {
    r.fail(w, "needs 0 < active_params <= params");
  }
  if (m.layers <= 0 || m.kv_heads <= 0 || m.head_dim <= 0 || m.hidden_size <= 0) {
    r.fail(w, "layers, hidden_size, kv_heads and head_dim must be positive");
  }
  if (m.active_experts > m.experts) {
    r.fail(w, "active_experts exceeds experts");
  }
  return m;
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  // ASCII folding without the locale (ids are ASCII; this runs for every catalog entry).
  auto fold = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (fold(a[i]) != fold(b[i])) {
      return false;
    }
  }
  return true;
}

template <class T>
const T& find_by_id(const std::vector<T>& items, std::string_view id, std::string_view what,
                    std::string_view list_hint) {
  for (const auto& item : items) {
    if (iequal(item.id, id)) {
      return item;
    }
  }
  std::vector<std::string> ids;
  ids.reserve(items.size());
  for (const auto& item : items) {
    ids.push_back(item.id);
  }
  std::string printable;
  for (char c : id.substr(0, 40)) {
    const auto u = static_cast<unsigned char>(c);
    printable += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  throw InputError("unknown " + std::string(what) + " '" + printable + "'" + did_you_mean(printable, ids) +
                   "; see '" + std::string(list_hint) + "'");
}

}  // namespace

std::string_view to_string(Precision p) {
  return k_precision_names[static_cast<std::size_t>(p)];
}

Precision parse_precision(std::string_view text) {
  const std::string t = lower(text);
  for (std::size_t i = 0; i < k_precision_names.size(); ++i) {
    if (t == k_precision_names[i]) {
      return k_all_precisions[i];
    }
  }
  throw InputError("unknown precision '" + std::string(text.substr(0, 20)) +
                   "' (use fp32, tf32, bf16, fp16, fp8, int8 or int4)");
}

int bits_of(Precision p) {
  switch (p) {
    case Precision::fp32:
    case Precision::tf32:
      return 32;
    case Precision::bf16:
    case Precision::fp16:
      return 16;
    case Precision::fp8:
    case Precision::int8:
      return 8;
    case Precision::int4:
      return 4;
  }
  return 16;
}

const Hardware& Catalog::find_hardware(std::string_view id) const {
  return find_by_id(hardware, id, "hardware", "llm-energy hardware list");
}
const Region& Catalog::find_region(std::string_view id) const {
  if (region_index.size() == regions.size() && id.size() <= 64) {
    char buf[64];
    for (std::size_t i = 0; i < id.size(); ++i) {
      const char c = id[i];
      buf[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }
    const std::string_view key(buf, id.size());
    const auto it = std::lower_bound(region_index.begin(), region_index.end(), key,
                                     [](const auto& entry, std::string_view k) { return entry.first < k; });
    if (it != region_index.end() && it->first == key && it->second < regions.size() &&
        iequal(regions[it->second].id, id)) {
      return regions[it->second];
    }
  }
  // A scan: an index that does not match the regions, and the error with suggestions.
  return find_by_id(regions, id, "region", "llm-energy regions list");
}

void Catalog::index_ids() {
  region_index.clear();
  region_index.reserve(regions.size());
  for (std::size_t i = 0; i < regions.size(); ++i) {
    region_index.emplace_back(lower(regions[i].id), i);
  }
  // Stable: with two ids equal up to case, the first wins, as in the scan.
  std::stable_sort(region_index.begin(), region_index.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
}
const Operator& Catalog::find_operator(std::string_view id) const {
  return find_by_id(operators, id, "operator", "llm-energy regions list");
}
const ModelArch& Catalog::find_model(std::string_view id) const {
  return find_by_id(models, id, "model", "llm-energy models list");
}
const Operator& Catalog::operator_for(const Region& region) const {
  return find_operator(region.operator_id.empty() ? default_operator : region.operator_id);
}

CatalogSources builtin_sources() {
  return {{"built-in hardware.json", std::string(embedded::hardware())},
          {"built-in regions.json", std::string(embedded::regions())},
          {"built-in models.json", std::string(embedded::models())},
          {},
          {}};
}

Catalog load_catalog(const CatalogSources& sources) {
  Catalog cat;
  // Hardware.
  json hw = parse_json(sources.hardware.text, sources.hardware.name);
  for (const auto& o : sources.hardware_overrides) {
    merge_entries(hw, "hardware", o, "llm-energy/hardware/1");
  }
  {
    Reader r{sources.hardware.name};
    if (!sources.hardware_overrides.empty()) {
      r.file += " (with --hardware-file)";
    }
    cat.hardware_version = hw.contains("data_version") ? r.text(hw["data_version"], "data_version") : "";
    const json& tm = r.member(hw, "training_model", "top level");
    cat.training.size_reference_params = r.positive(tm, "size_reference_params", "training_model");
    cat.training.size_exponent = r.positive(tm, "size_exponent", "training_model");
    cat.training.size_min_factor = r.positive(tm, "size_min_factor", "training_model");
    const json& wm = r.member(hw, "whatif_model", "top level");
    cat.whatif.chip_scaling_overhead = r.positive(wm, "chip_scaling_overhead", "whatif_model");
    cat.whatif.power_cap_time_exponent = r.positive(wm, "power_cap_time_exponent", "whatif_model");
    cat.whatif.power_cap_power_exponent = r.positive(wm, "power_cap_power_exponent", "whatif_model");
    cat.whatif.two_four_weight_bytes = r.positive(wm, "two_four_weight_bytes", "whatif_model");
    const json& sm = r.member(hw, "serving_model", "top level");
    const std::string w = "serving_model";
    cat.serving.memory_efficiency = r.positive(sm, "memory_efficiency", w);
    cat.serving.kv_efficiency = r.positive(sm, "kv_efficiency", w);
    cat.serving.quantized_efficiency = r.positive(sm, "quantized_efficiency", w);
    cat.serving.compute_efficiency = r.positive(sm, "compute_efficiency", w);
    cat.serving.prefill_efficiency = r.positive(sm, "prefill_efficiency", w);
    cat.serving.power_memory_weight = r.positive(sm, "power_memory_weight", w);
    cat.serving.power_compute_weight = r.positive(sm, "power_compute_weight", w);
    cat.serving.tp_overhead = r.datum(r.member(sm, "tp_overhead", w), w + ".tp_overhead");
    cat.serving.serving_overhead = r.positive(sm, "serving_overhead", w);
    cat.serving.memory_headroom = r.positive(sm, "memory_headroom", w);
    cat.serving.default_batch = r.positive(sm, "default_batch", w);
    cat.serving.default_input_tokens = r.positive(sm, "default_input_tokens", w);
    cat.serving.default_output_tokens = r.positive(sm, "default_output_tokens", w);
    for (const Datum* d :
         {&cat.serving.memory_efficiency, &cat.serving.kv_efficiency, &cat.serving.quantized_efficiency,
          &cat.serving.compute_efficiency, &cat.serving.prefill_efficiency}) {
      if (d->high > 1.0) {
        r.fail(w, "efficiencies must lie in (0, 1]");
      }
    }
    const json& gens = r.member(hw, "generations", "top level");
    const json& list = r.member(hw, "hardware", "top level");
    if (!list.is_array()) {
      r.fail("hardware", "expected an array");
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      cat.hardware.push_back(read_hardware(r, list[i], gens, "hardware[" + std::to_string(i) + "]"));
    }
  }
  // Regions and operators.
  json rg = parse_json(sources.regions.text, sources.regions.name);
  for (const auto& o : sources.regions_overrides) {
    merge_entries(rg, "regions", o, "llm-energy/regions/1");
  }
  {
    Reader r{sources.regions.name};
    if (!sources.regions_overrides.empty()) {
      r.file += " (with --regions-file)";
    }
    cat.regions_version = rg.contains("data_version") ? r.text(rg["data_version"], "data_version") : "";
    cat.default_operator = r.text(r.member(rg, "default_operator", "top level"), "default_operator");
    const json& ops = r.member(rg, "operators", "top level");
    if (!ops.is_object()) {
      r.fail("operators", "expected an object");
    }
    for (auto it = ops.begin(); it != ops.end(); ++it) {
      Operator op;
      op.id = it.key();
      const std::string w = "operator '" + op.id + "'";
      op.name = r.opt_text(it.value(), "name", w);
      op.pue = r.positive(it.value(), "pue", w);
      if (op.pue.low < 1.0) {
        r.fail(w + ".pue", "PUE cannot be below 1");
      }
      op.wue_l_per_kwh = it.value().contains("wue_l_per_kwh")
                             ? r.datum(it.value()["wue_l_per_kwh"], w + ".wue_l_per_kwh")
                             : Datum{};
      cat.operators.push_back(op);
    }
    const json& list = r.member(rg, "regions", "top level");
    if (!list.is_array()) {
      r.fail("regions", "expected an array");
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      cat.regions.push_back(read_region(r, list[i], "regions[" + std::to_string(i) + "]"));
    }
    (void)cat.find_operator(cat.default_operator);
    for (const auto& g : cat.regions) {
      if (!g.operator_id.empty()) {
        (void)cat.find_operator(g.operator_id);
      }
    }
  }
  // Models.
  {
    json md = parse_json(sources.models.text, sources.models.name);
    Reader r{sources.models.name};
    const json& list = r.member(md, "models", "top level");
    if (!list.is_array()) {
      r.fail("models", "expected an array");
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      cat.models.push_back(read_model(r, list[i], "models[" + std::to_string(i) + "]"));
    }
  }
  cat.index_ids();
  return cat;
}

// builtin_catalog() is generated at build time from the same files (src/codegen/catalog_codegen.cpp),
// so the binary starts without parsing JSON; a unit test checks it equals load_catalog(builtin_sources()).

}  // namespace llm_energy
