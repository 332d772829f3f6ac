#include "llm_energy/catalog.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>

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
using Keys = std::vector<std::string>;

constexpr std::array<std::string_view, 8> k_precision_names = {"fp32", "tf32", "bf16", "fp16",
                                                               "fp8",  "int8", "int4", "q4"};
constexpr std::array<std::string_view, 22> k_training_fields = {"width_coefficient",
                                                                "moe_routing_coefficient",
                                                                "exposed_communication",
                                                                "goodput",
                                                                "seq_len",
                                                                "batch_coefficient",
                                                                "batch_exponent",
                                                                "batch_min_tokens",
                                                                "batch_max_tokens",
                                                                "state_bytes_per_param",
                                                                "shard_memory_share",
                                                                "target_days",
                                                                "min_chips",
                                                                "model_error",
                                                                "fallback_scale_out_gbps",
                                                                "nic_power_w",
                                                                "switch_port_power_w",
                                                                "switch_radix",
                                                                "nic_link_gbps",
                                                                "checkpoint_interval_hours",
                                                                "dataset_bytes_per_token",
                                                                "storage_j_per_gb"};
constexpr std::array<std::string_view, 29> k_serving_fields = {
    "memory_efficiency",   "kv_efficiency",        "compute_efficiency",     "prefill_efficiency",
    "layer_time_us",       "moe_layer_time_us",    "fp8_moe_layer_time_us",  "allreduce_time_us",
    "all_to_all_time_us",  "sequence_time_us",     "dequant_ops_per_weight", "active_floor",
    "power_memory_weight", "power_compute_weight", "legacy_busy_share",      "model_error",
    "memory_headroom",     "default_batch",        "default_input_tokens",   "default_output_tokens",
    "host_idle_fraction",  "autoscale_lag_min",    "autoscale_min_replicas", "autoscale_step",
    "diurnal_amplitude",   "diurnal_peak_hour",    "business_start_hour",    "business_end_hour",
    "business_off_share"};
constexpr std::array<std::string_view, 6> k_generation_fields = {
    "training_mfu", "avg_power_fraction",   "idle_power_fraction",
    "host_power_w", "host_embodied_kgco2e", "service_life_years"};

// ---- The keys each object of a catalog file may hold (docs/catalog-schema.md) ----
// Any object may also carry documentation keys: "_comment", "description" and keys starting
// with '$'. Every other key is an error naming the nearest valid one.

bool is_doc_key(std::string_view key) {
  return key.starts_with('$') || key == "_comment" || key == "description";
}

const Keys& datum_keys() {
  static const Keys k = {"value", "low", "high", "source", "year", "note", "unit"};
  return k;
}
const Keys& intensity_keys() {  // a region's carbon_intensity: a datum, its basis, the zero flag
  static const Keys k = {
      "value", "low", "high", "source", "year", "note", "unit", "basis", "source_states_zero"};
  return k;
}
const Keys& precision_keys() {
  static const Keys k(k_precision_names.begin(), k_precision_names.end());
  return k;
}
const Keys& generation_keys() {
  static const Keys k(k_generation_fields.begin(), k_generation_fields.end());
  return k;
}
const Keys& hardware_keys() {
  static const Keys k = [] {
    Keys keys = {"id",
                 "name",
                 "aliases",
                 "vendor",
                 "generation",
                 "kind",
                 "release_year",
                 "notes",
                 "tdp_w",
                 "peak_tflops",
                 "sparse_speedup",
                 "memory_gb",
                 "memory_bandwidth_gbps",
                 "scale_up_gbps",
                 "scale_up_domain",
                 "scale_out_gbps",
                 "idle_power_w",
                 "embodied_kgco2e"};
    keys.insert(keys.end(), k_generation_fields.begin(), k_generation_fields.end());
    return keys;
  }();
  return k;
}
const Keys& operator_keys() {
  static const Keys k = {"name", "note", "pue", "wue_l_per_kwh"};
  return k;
}
const Keys& region_keys() {
  static const Keys k = {"id",       "name",    "aliases",  "kind",
                         "provider", "country", "operator", "carbon_intensity"};
  return k;
}
const Keys& model_keys() {
  static const Keys k = {
      "id",          "name",           "aliases",  "params",   "active_params", "layers",
      "hidden_size", "heads",          "kv_heads", "head_dim", "experts",       "active_experts",
      "moe_layers",  "context_length", "source",   "year",     "note"};
  return k;
}
const Keys& training_keys() {
  static const Keys k(k_training_fields.begin(), k_training_fields.end());
  return k;
}
const Keys& whatif_keys() {
  static const Keys k = {"power_cap_time_exponent", "power_cap_power_exponent", "two_four_weight_bytes"};
  return k;
}
const Keys& serving_keys() {
  static const Keys k(k_serving_fields.begin(), k_serving_fields.end());
  return k;
}

bool has(const Keys& keys, std::string_view key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

// Return `s` cut to 40 bytes with control and non-ASCII bytes as '?', for messages.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  return out;
}

std::string unknown_key(std::string_view key, const Keys& keys) {
  Keys candidates = keys;
  candidates.insert(candidates.end(), {"_comment", "description"});
  return "unknown key '" + printable(key) + "'" + did_you_mean(key, candidates);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Return the member `key` of the object `obj`, or null.
const json* find(const json& obj, std::string_view key) {
  const auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

// The store that text read while loading goes to (load_catalog sets it for its duration;
// loading is single-threaded and not re-entrant).
thread_local TextStore* t_store = nullptr;

std::string_view kept(std::string text) {
  return t_store->keep(std::move(text));
}

class StoreScope {
 public:
  explicit StoreScope(TextStore& s) { t_store = &s; }
  StoreScope(const StoreScope&) = delete;
  StoreScope& operator=(const StoreScope&) = delete;
  ~StoreScope() { t_store = nullptr; }
};

// Reading context: the file a value came from, for messages ("FILE: PATH: problem").
struct Reader {
  std::string_view file;

  [[noreturn]] void fail(const std::string& where, const std::string& msg) const {
    throw InputError(std::string(file) + ": " + where + ": " + msg);
  }

  void object(const json& v, const std::string& where) const {
    if (!v.is_object()) {
      fail(where, "expected an object, got " + std::string(json_type_name(v)));
    }
  }

  const json& member(const json& obj, std::string_view key, const std::string& where) const {
    object(obj, where);
    const json* v = find(obj, key);
    if (v == nullptr) {
      fail(where, "missing key '" + std::string(key) + "'");
    }
    return *v;
  }

  // Reject the keys of `obj` that are neither in `keys` nor documentation keys.
  void known_keys(const json& obj, const Keys& keys, const std::string& where) const {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      if (!has(keys, it.key()) && !is_doc_key(it.key())) {
        fail(where, unknown_key(it.key(), keys));
      }
    }
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

  // A string value, kept in the catalog's text store.
  std::string_view text(const json& v, const std::string& where) const {
    if (!v.is_string()) {
      fail(where, "expected a string, got " + std::string(json_type_name(v)));
    }
    return kept(v.get<std::string>());
  }

  std::string_view opt_text(const json& obj, std::string_view key, const std::string& where) const {
    const json* v = find(obj, key);
    return v == nullptr ? std::string_view() : text(*v, where + "." + std::string(key));
  }

  // An optional array of non-empty strings (an entry's "aliases"), kept in the text store.
  std::vector<std::string_view> strings(const json& obj, std::string_view key,
                                        const std::string& where) const {
    std::vector<std::string_view> out;
    const json* v = find(obj, key);
    if (v == nullptr) {
      return out;
    }
    const std::string w = where + "." + std::string(key);
    if (!v->is_array()) {
      fail(w, "expected an array of strings, got " + std::string(json_type_name(*v)));
    }
    for (std::size_t i = 0; i < v->size(); ++i) {
      const std::string_view s = text((*v)[i], w + "[" + std::to_string(i) + "]");
      if (s.empty()) {
        fail(w + "[" + std::to_string(i) + "]", "must not be empty");
      }
      out.push_back(s);
    }
    return out;
  }

  int integer(const json& v, const std::string& where) const {
    const double d = number(v, where);
    if (d != std::floor(d) || d < 0 || d > 1e9) {
      fail(where, "expected a non-negative integer");
    }
    return static_cast<int>(d);
  }

  // A datum object, or a bare number: low and high default to the value, the year to 0, the
  // note to empty and the source to this file's name.
  Datum datum(const json& v, const std::string& where, const Keys& keys = datum_keys()) const {
    Datum d;
    if (v.is_number()) {
      d.value = d.low = d.high = number(v, where);
      d.source = kept(std::string(file));
      return d;
    }
    if (!v.is_object()) {
      fail(where, "expected a number or an object with \"value\", got " + std::string(json_type_name(v)));
    }
    known_keys(v, keys, where);
    d.value = number(member(v, "value", where), where + ".value");
    const json* low = find(v, "low");
    const json* high = find(v, "high");
    d.low = low != nullptr ? number(*low, where + ".low") : d.value;
    d.high = high != nullptr ? number(*high, where + ".high") : d.value;
    if (!(d.low <= d.value && d.value <= d.high)) {
      fail(where, "needs low <= value <= high");
    }
    const json* source = find(v, "source");
    d.source = source != nullptr ? text(*source, where + ".source") : kept(std::string(file));
    const json* year = find(v, "year");
    d.year = year != nullptr ? integer(*year, where + ".year") : 0;
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

// ---- Merging override files, with the file each value came from ----

// Which file each part of one merged object came from: the file that introduced the object,
// and the keys a later file replaced ("key", or "key.sub" for one precision of peak_tflops).
struct Origins {
  std::string_view file;
  std::vector<std::pair<std::string, std::string_view>> replaced;

  [[nodiscard]] std::string_view of(std::string_view key) const {
    for (const auto& [k, f] : replaced) {
      if (k == key) {
        return f;
      }
    }
    return file;
  }
  [[nodiscard]] std::string_view of(std::string_view key, std::string_view sub) const {
    for (const auto& [k, f] : replaced) {
      if (k.size() == key.size() + 1 + sub.size() && k.starts_with(key) && k[key.size()] == '.' &&
          k.ends_with(sub)) {
        return f;
      }
    }
    return of(key);
  }
  [[nodiscard]] Reader at(std::string_view key) const { return Reader{of(key)}; }

  // Record that `by` replaced `key` whole (and so everything under it).
  void set(std::string key, std::string_view by) {
    std::erase_if(replaced, [&](const auto& r) {
      return r.first.starts_with(key) && (r.first.size() == key.size() || r.first[key.size()] == '.');
    });
    replaced.emplace_back(std::move(key), by);
  }
};

// Reject the keys of `obj` that are neither in `keys` nor documentation keys, naming the file
// each key came from.
void known_keys(const json& obj, const Keys& keys, const Origins& o, const std::string& where) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!has(keys, it.key()) && !is_doc_key(it.key())) {
      o.at(it.key()).fail(where, unknown_key(it.key(), keys));
    }
  }
}

// The shape of one catalog file: its array of entries with ids, its map of named objects
// (generations, operators), its objects of datums (training_model, ...) and its plain values.
struct FileKind {
  std::string schema;
  std::string list;
  std::string members;
  Keys blocks;
  Keys scalars;
  Keys top_keys;
  bool nested_peaks = false;  // entries hold peak_tflops, merged precision by precision
};

const FileKind& hardware_kind() {
  static const FileKind k{.schema = "llm-energy/hardware/1",
                          .list = "hardware",
                          .members = "generations",
                          .blocks = {"training_model", "whatif_model", "serving_model"},
                          .scalars = {},
                          .top_keys = {"schema", "data_version", "notes", "training_model", "whatif_model",
                                       "serving_model", "generations", "hardware"},
                          .nested_peaks = true};
  return k;
}
const FileKind& regions_kind() {
  static const FileKind k{.schema = "llm-energy/regions/1",
                          .list = "regions",
                          .members = "operators",
                          .blocks = {"electricity_water"},
                          .scalars = {"default_operator"},
                          .top_keys = {"schema", "data_version", "notes", "default_operator", "operators",
                                       "electricity_water", "regions"},
                          .nested_peaks = false};
  return k;
}
const FileKind& models_kind() {
  static const FileKind k{.schema = "llm-energy/models/1",
                          .list = "models",
                          .members = "",
                          .blocks = {},
                          .scalars = {},
                          .top_keys = {"schema", "data_version", "notes", "models"},
                          .nested_peaks = false};
  return k;
}

// One catalog file with its overrides merged in, and where each part came from.
struct Document {
  json doc;
  Origins base;                                         // the catalog file itself
  Origins top;                                          // top-level plain values
  std::map<std::string, Origins, std::less<>> blocks;   // training_model, ... (when overridden)
  std::map<std::string, Origins, std::less<>> members;  // generations or operators (when overridden)
  std::vector<Origins> entries;                         // parallel to doc[list]

  [[nodiscard]] const Origins& block(std::string_view key) const {
    const auto it = blocks.find(key);
    return it == blocks.end() ? base : it->second;
  }
  [[nodiscard]] const Origins& member(std::string_view key) const {
    const auto it = members.find(key);
    return it == members.end() ? base : it->second;
  }
};

// Where each id (folded to lower case) sits in the merged list, and which file and entry last
// set it (file 0 is the catalog itself).
struct Slot {
  std::size_t pos;
  std::size_t file;
  std::size_t entry;
};
using IdIndex = std::unordered_map<std::string, Slot>;

// Merge `patch` into `target` key by key: each key given replaces that key's value whole (a
// datum's range, year, note and source go with its value). With `nested_peaks`, peak_tflops
// merges precision by precision, each replaced whole (null removes one). An entry keeps the
// id it was matched on (case-insensitively).
void merge_object(json& target, json& patch, Origins& o, std::string_view file, bool entry,
                  bool nested_peaks) {
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    const std::string& key = it.key();
    if (entry && key == "id") {
      continue;
    }
    if (nested_peaks && key == "peak_tflops" && it.value().is_object()) {
      const auto t = target.find(key);
      if (t != target.end() && t->is_object()) {
        for (auto p = it.value().begin(); p != it.value().end(); ++p) {
          (*t)[p.key()] = std::move(p.value());
          o.set(key + "." + p.key(), file);
        }
        continue;
      }
    }
    target[key] = std::move(it.value());
    o.set(key, file);
  }
}

// Merge a map of named objects (generations, operators): a name that exists merges key by
// key, a new name is added whole.
void merge_members(Document& d, const std::string& key, json& patch, const Reader& r) {
  r.object(patch, key);
  json& target = d.doc[key];
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    const std::string& name = it.key();
    const auto t = target.find(name);
    if (t != target.end() && t->is_object() && it.value().is_object()) {
      auto o = d.members.try_emplace(name, Origins{d.base.file, {}}).first;
      merge_object(*t, it.value(), o->second, r.file, false, false);
    } else {
      target[name] = std::move(it.value());
      d.members.insert_or_assign(name, Origins{r.file, {}});
    }
  }
}

// Return the entry's id; an entry must be an object with a non-empty string id.
std::string entry_id(const Reader& r, const json& e, const std::string& where) {
  std::string id(r.text(r.member(e, "id", where), where + ".id"));
  if (id.empty()) {
    r.fail(where + ".id", "must not be empty");
  }
  return id;
}

std::string duplicate(const std::string& id, const std::string& list, std::size_t first) {
  return "duplicate id '" + printable(id) + "' (also " + list + "[" + std::to_string(first) +
         "]; ids match regardless of case)";
}

// Merge one override file into `d`: entries by id (in time linear in the entries), maps of
// named objects and objects of datums key by key, plain values whole.
void merge_file(Document& d, const FileKind& kind, const CatalogText& src, std::size_t file_no,
                IdIndex& index) {
  json doc = parse_json(src.text, src.name);
  const Reader r{src.name};
  r.object(doc, "top level");
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const std::string& key = it.key();
    if (key == kind.list || key == "data_version" || key == "notes" || is_doc_key(key)) {
      continue;
    }
    if (key == "schema") {
      if (it.value() != json(kind.schema)) {
        r.fail("schema", "expected \"" + kind.schema + "\"");
      }
    } else if (key == kind.members) {
      merge_members(d, key, it.value(), r);
    } else if (has(kind.blocks, key)) {
      r.object(it.value(), key);
      json& target = d.doc[key];
      if (target.is_object()) {
        auto o = d.blocks.try_emplace(key, Origins{d.base.file, {}}).first;
        merge_object(target, it.value(), o->second, r.file, false, false);
      } else {
        target = std::move(it.value());
        d.blocks.insert_or_assign(key, Origins{r.file, {}});
      }
    } else if (has(kind.scalars, key)) {
      d.doc[key] = std::move(it.value());
      d.top.set(key, r.file);
    } else {
      r.fail("top level", unknown_key(key, kind.top_keys));
    }
  }
  const auto entries = doc.find(kind.list);
  if (entries == doc.end()) {
    return;
  }
  if (!entries->is_array()) {
    r.fail(kind.list, "expected an array, got " + std::string(json_type_name(*entries)));
  }
  json& target = d.doc[kind.list];
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const std::string where = kind.list + "[" + std::to_string(i) + "]";
    json& e = (*entries)[i];
    const std::string id = entry_id(r, e, where);
    const auto [slot, added] = index.try_emplace(lower(id), Slot{target.size(), file_no, i});
    if (added) {
      target.push_back(std::move(e));
      d.entries.push_back(Origins{r.file, {}});
      continue;
    }
    if (slot->second.file == file_no) {
      r.fail(where, duplicate(id, kind.list, slot->second.entry));
    }
    merge_object(target[slot->second.pos], e, d.entries[slot->second.pos], r.file, true, kind.nested_peaks);
    slot->second.file = file_no;
    slot->second.entry = i;
  }
}

// Return the catalog file `base` with `overrides` merged in, in order.
Document merge(const CatalogText& base, const std::vector<CatalogText>& overrides, const FileKind& kind) {
  Document d;
  d.doc = parse_json(base.text, base.name);
  d.base.file = base.name;
  d.top.file = base.name;
  const Reader r{base.name};
  r.object(d.doc, "top level");
  r.known_keys(d.doc, kind.top_keys, "top level");
  if (const json* schema = find(d.doc, "schema"); schema != nullptr && *schema != json(kind.schema)) {
    r.fail("schema", "expected \"" + kind.schema + "\"");
  }
  for (const auto& key : kind.blocks) {
    if (const json* b = find(d.doc, key); b != nullptr) {
      r.object(*b, key);
    }
  }
  if (!kind.members.empty()) {
    if (const json* m = find(d.doc, kind.members); m != nullptr) {
      r.object(*m, kind.members);
    }
  }
  const json& list = r.member(d.doc, kind.list, "top level");
  if (!list.is_array()) {
    r.fail(kind.list, "expected an array, got " + std::string(json_type_name(list)));
  }
  IdIndex index;
  index.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = kind.list + "[" + std::to_string(i) + "]";
    const auto [slot, added] = index.try_emplace(lower(entry_id(r, list[i], where)), Slot{i, 0, i});
    if (!added) {
      r.fail(where, duplicate(list[i]["id"].get<std::string>(), kind.list, slot->second.entry));
    }
  }
  d.entries.assign(list.size(), Origins{base.name, {}});
  for (std::size_t f = 0; f < overrides.size(); ++f) {
    merge_file(d, kind, overrides[f], f + 1, index);
  }
  return d;
}

// ---- Reading the merged documents ----

// A generation's defaults, each with the file it came from.
struct Generation {
  std::string_view file;
  std::array<std::optional<Datum>, 6> fields;  // k_generation_fields
  std::array<std::string_view, 6> files;
};
using Generations = std::map<std::string, Generation, std::less<>>;

Generations read_generations(const Document& d) {
  Generations out;
  const json& gens = d.base.at("generations").member(d.doc, "generations", "top level");
  for (auto it = gens.begin(); it != gens.end(); ++it) {
    if (is_doc_key(it.key())) {
      continue;
    }
    const Origins& o = d.member(it.key());
    const std::string w = "generation '" + it.key() + "'";
    Reader{o.file}.object(it.value(), w);
    known_keys(it.value(), generation_keys(), o, w);
    Generation g;
    g.file = o.file;
    for (std::size_t i = 0; i < k_generation_fields.size(); ++i) {
      const std::string key(k_generation_fields[i]);
      if (const json* v = find(it.value(), key); v != nullptr) {
        g.files[i] = o.of(key);
        g.fields[i] = Reader{g.files[i]}.datum(*v, w + "." + key);
      }
    }
    out.emplace(it.key(), g);
  }
  return out;
}

Hardware read_hardware(const json& e, const Origins& o, const Generations& gens, const std::string& where) {
  Hardware h;
  h.id = o.at("id").text(o.at("id").member(e, "id", where), where + ".id");
  const std::string w = "hardware '" + std::string(h.id) + "'";
  known_keys(e, hardware_keys(), o, w);
  h.name = o.at("name").opt_text(e, "name", w);
  if (h.name.empty()) {
    h.name = h.id;
  }
  h.aliases = o.at("aliases").strings(e, "aliases", w);
  h.vendor = o.at("vendor").opt_text(e, "vendor", w);
  h.generation = o.at("generation").text(o.at("generation").member(e, "generation", w), w + ".generation");
  h.notes = o.at("notes").opt_text(e, "notes", w);
  if (const std::string_view kind = o.at("kind").opt_text(e, "kind", w); !kind.empty()) {
    if (kind != "accelerator" && kind != "cpu" && kind != "edge") {
      o.at("kind").fail(w + ".kind", "must be accelerator, cpu or edge, got '" + printable(kind) + "'");
    }
    h.kind = kind;
  }
  if (const json* v = find(e, "release_year"); v != nullptr) {
    h.release_year = o.at("release_year").integer(*v, w + ".release_year");
  }
  h.tdp_w = o.at("tdp_w").positive(e, "tdp_w", w);

  const Reader pr = o.at("peak_tflops");
  const json& peaks = pr.member(e, "peak_tflops", w);
  pr.object(peaks, w + ".peak_tflops");
  bool any = false;
  std::string_view removed_by = pr.file;  // for "needs at least one": the file that removed the last
  for (auto it = peaks.begin(); it != peaks.end(); ++it) {
    if (is_doc_key(it.key())) {
      continue;
    }
    const Reader kr{o.of("peak_tflops", it.key())};
    const auto name = std::find(k_precision_names.begin(), k_precision_names.end(), it.key());
    if (name == k_precision_names.end()) {
      kr.fail(w + ".peak_tflops",
              "unknown precision '" + printable(it.key()) + "'" + did_you_mean(it.key(), precision_keys()));
    }
    if (it.value().is_null()) {
      removed_by = kr.file;
      continue;  // a user file may remove a precision with null
    }
    const auto idx = static_cast<std::size_t>(name - k_precision_names.begin());
    h.peak_tflops[idx] = kr.positive(peaks, it.key(), w + ".peak_tflops");
    any = true;
  }
  if (!any) {
    Reader{removed_by}.fail(w + ".peak_tflops", "needs at least one precision");
  }
  if (const json* v = find(e, "sparse_speedup"); v != nullptr && !v->is_null()) {
    h.sparse_speedup = o.at("sparse_speedup").positive(e, "sparse_speedup", w);
  }
  h.memory_gb = o.at("memory_gb").positive(e, "memory_gb", w);
  h.memory_bandwidth_gbps = o.at("memory_bandwidth_gbps").positive(e, "memory_bandwidth_gbps", w);
  for (auto [key, field] :
       {std::pair{"scale_up_gbps", &h.scale_up_gbps}, std::pair{"scale_up_domain", &h.scale_up_domain},
        std::pair{"scale_out_gbps", &h.scale_out_gbps}, std::pair{"idle_power_w", &h.idle_power_w}}) {
    if (const json* v = find(e, key); v != nullptr && !v->is_null()) {
      *field = o.at(key).positive(e, key, w);
    }
  }
  const Reader er = o.at("embodied_kgco2e");
  h.embodied_kgco2e = er.datum(er.member(e, "embodied_kgco2e", w), w + ".embodied_kgco2e");
  if (h.embodied_kgco2e.low < 0) {
    er.fail(w + ".embodied_kgco2e", "must not be negative");
  }

  const auto gen = gens.find(h.generation);
  if (gen == gens.end()) {
    std::vector<std::string> names;
    for (const auto& [name, g] : gens) {
      names.push_back(name);
    }
    o.at("generation")
        .fail(w + ".generation",
              "unknown generation '" + std::string(h.generation) + "'" + did_you_mean(h.generation, names));
  }
  // The generation's defaults, unless the entry gives its own.
  Datum* fields[] = {&h.training_mfu, &h.avg_power_fraction,   &h.idle_power_fraction,
                     &h.host_power_w, &h.host_embodied_kgco2e, &h.service_life_years};
  std::array<std::string, 6> paths;
  std::array<std::string_view, 6> files;
  for (std::size_t i = 0; i < k_generation_fields.size(); ++i) {
    const std::string key(k_generation_fields[i]);
    paths[i] = w + "." + key;
    if (const json* v = find(e, key); v != nullptr) {
      files[i] = o.of(key);
      *fields[i] = Reader{files[i]}.datum(*v, paths[i]);
    } else if (gen->second.fields[i]) {
      files[i] = gen->second.files[i];
      *fields[i] = *gen->second.fields[i];
      paths[i] += " (from generation '" + std::string(h.generation) + "')";
    } else if (h.kind != "accelerator" && i < 2) {
      continue;  // training_mfu, avg_power_fraction: training only, which CPUs and edge devices refuse
    } else {
      Reader{gen->second.file}.fail("generation '" + std::string(h.generation) + "'",
                                    "missing key '" + key + "'");
    }
  }
  auto check = [&](std::size_t i, bool ok, const char* msg) {
    if (!ok) {
      Reader{files[i]}.fail(paths[i], msg);
    }
  };
  const bool trains = h.kind == "accelerator";
  check(0, !trains || (h.training_mfu.low > 0 && h.training_mfu.high <= 1.0), "must lie in (0, 1.0]");
  check(1, !trains || (h.avg_power_fraction.low > 0 && h.avg_power_fraction.high <= 1.5),
        "must lie in (0, 1.5]");
  check(2, h.idle_power_fraction.low > 0 && h.idle_power_fraction.high <= 1.0, "must lie in (0, 1.0]");
  check(3, h.host_power_w.low >= 0, "must not be negative");
  check(4, h.host_embodied_kgco2e.low >= 0, "must not be negative");
  check(5, h.service_life_years.low > 0, "must be greater than zero");
  return h;
}

// Return the object `key` of the top level, its keys checked.
const json& block(const Document& d, const std::string& key, const Keys& keys) {
  const Origins& o = d.block(key);
  const json& b = Reader{d.base.file}.member(d.doc, key, "top level");
  Reader{o.file}.object(b, key);
  known_keys(b, keys, o, key);
  return b;
}

void read_hardware_file(const Document& d, Catalog& cat) {
  const Reader r{d.base.file};
  if (const json* v = find(d.doc, "data_version"); v != nullptr) {
    cat.hardware_version = r.text(*v, "data_version");
  }
  {
    const std::string w = "training_model";
    const Origins& o = d.block(w);
    const json& b = block(d, w, training_keys());
    TrainingModel& t = cat.training;
    Datum* fields[] = {&t.width_coefficient,
                       &t.moe_routing_coefficient,
                       &t.exposed_communication,
                       &t.goodput,
                       &t.seq_len,
                       &t.batch_coefficient,
                       &t.batch_exponent,
                       &t.batch_min_tokens,
                       &t.batch_max_tokens,
                       &t.state_bytes_per_param,
                       &t.shard_memory_share,
                       &t.target_days,
                       &t.min_chips,
                       &t.model_error,
                       &t.fallback_scale_out_gbps,
                       &t.nic_power_w,
                       &t.switch_port_power_w,
                       &t.switch_radix,
                       &t.nic_link_gbps,
                       &t.checkpoint_interval_hours,
                       &t.dataset_bytes_per_token,
                       &t.storage_j_per_gb};
    static_assert(std::size(fields) == k_training_fields.size());
    for (std::size_t i = 0; i < k_training_fields.size(); ++i) {
      const std::string key(k_training_fields[i]);
      *fields[i] = o.at(key).positive(b, key, w);
    }
    auto fraction = [&](const Datum& datum, const char* key) {
      if (datum.high > 1.0) {
        o.at(key).fail(w + "." + key, "must lie in (0, 1]");
      }
    };
    fraction(t.exposed_communication, "exposed_communication");
    fraction(t.goodput, "goodput");
    fraction(t.shard_memory_share, "shard_memory_share");
  }
  {
    const std::string w = "whatif_model";
    const Origins& o = d.block(w);
    const json& b = block(d, w, whatif_keys());
    cat.whatif.power_cap_time_exponent =
        o.at("power_cap_time_exponent").positive(b, "power_cap_time_exponent", w);
    cat.whatif.power_cap_power_exponent =
        o.at("power_cap_power_exponent").positive(b, "power_cap_power_exponent", w);
    cat.whatif.two_four_weight_bytes = o.at("two_four_weight_bytes").positive(b, "two_four_weight_bytes", w);
  }
  {
    const std::string w = "serving_model";
    const Origins& o = d.block(w);
    const json& b = block(d, w, serving_keys());
    ServingModel& s = cat.serving;
    Datum* fields[] = {
        &s.memory_efficiency,   &s.kv_efficiency,        &s.compute_efficiency,     &s.prefill_efficiency,
        &s.layer_time_us,       &s.moe_layer_time_us,    &s.fp8_moe_layer_time_us,  &s.allreduce_time_us,
        &s.all_to_all_time_us,  &s.sequence_time_us,     &s.dequant_ops_per_weight, &s.active_floor,
        &s.power_memory_weight, &s.power_compute_weight, &s.legacy_busy_share,      &s.model_error,
        &s.memory_headroom,     &s.default_batch,        &s.default_input_tokens,   &s.default_output_tokens,
        &s.host_idle_fraction,  &s.autoscale_lag_min,    &s.autoscale_min_replicas, &s.autoscale_step,
        &s.diurnal_amplitude,   &s.diurnal_peak_hour,    &s.business_start_hour,    &s.business_end_hour,
        &s.business_off_share};
    static_assert(std::size(fields) == k_serving_fields.size());
    for (std::size_t i = 0; i < k_serving_fields.size(); ++i) {
      const std::string key(k_serving_fields[i]);
      *fields[i] = o.at(key).positive(b, key, w);
    }
    const std::pair<const char*, const Datum*> fractions[] = {{"memory_efficiency", &s.memory_efficiency},
                                                              {"kv_efficiency", &s.kv_efficiency},
                                                              {"compute_efficiency", &s.compute_efficiency},
                                                              {"prefill_efficiency", &s.prefill_efficiency},
                                                              {"active_floor", &s.active_floor},
                                                              {"legacy_busy_share", &s.legacy_busy_share},
                                                              {"host_idle_fraction", &s.host_idle_fraction},
                                                              {"diurnal_amplitude", &s.diurnal_amplitude},
                                                              {"business_off_share", &s.business_off_share}};
    for (const auto& [key, datum] : fractions) {
      if (datum->high > 1.0) {
        o.at(key).fail(w + "." + key, "must lie in (0, 1]");
      }
    }
  }
  const Generations gens = read_generations(d);
  const json& list = *find(d.doc, "hardware");  // an array: merge() checked
  cat.hardware.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    cat.hardware.push_back(read_hardware(list[i], d.entries[i], gens, "hardware[" + std::to_string(i) + "]"));
  }
}

Operator read_operator(const std::string& id, const json& v, const Origins& o) {
  Operator op;
  op.id = kept(id);
  const std::string w = "operator '" + id + "'";
  Reader{o.file}.object(v, w);
  known_keys(v, operator_keys(), o, w);
  op.name = o.at("name").opt_text(v, "name", w);
  op.pue = o.at("pue").positive(v, "pue", w);
  if (op.pue.low < 1.0) {
    o.at("pue").fail(w + ".pue", "PUE cannot be below 1");
  }
  if (const json* wue = find(v, "wue_l_per_kwh"); wue != nullptr) {
    op.wue_l_per_kwh = o.at("wue_l_per_kwh").datum(*wue, w + ".wue_l_per_kwh");
  }
  return op;
}

Region read_region(const json& e, const Origins& o, const std::string& where) {
  Region g;
  g.id = o.at("id").text(o.at("id").member(e, "id", where), where + ".id");
  const std::string w = "region '" + std::string(g.id) + "'";
  known_keys(e, region_keys(), o, w);
  g.name = o.at("name").opt_text(e, "name", w);
  if (g.name.empty()) {
    g.name = g.id;
  }
  g.aliases = o.at("aliases").strings(e, "aliases", w);
  g.kind = o.at("kind").opt_text(e, "kind", w);
  g.provider = o.at("provider").opt_text(e, "provider", w);
  g.country = o.at("country").opt_text(e, "country", w);
  g.operator_id = o.at("operator").opt_text(e, "operator", w);
  const Reader cr = o.at("carbon_intensity");
  const json& ci = cr.member(e, "carbon_intensity", w);
  g.carbon_intensity = cr.datum(ci, w + ".carbon_intensity", intensity_keys());
  if (g.carbon_intensity.low < 0) {
    cr.fail(w + ".carbon_intensity", "must not be negative");
  }
  // A zero intensity is a missing value read as zero unless the entry says its source states it.
  if (g.carbon_intensity.low == 0) {
    const json* flag = ci.is_object() ? find(ci, "source_states_zero") : nullptr;
    if (flag == nullptr || !flag->is_boolean() || !flag->get<bool>()) {
      cr.fail(w + ".carbon_intensity",
              "zero intensity (a missing value read as zero?); give a sourced value, or "
              "\"source_states_zero\": true when the source states zero");
    }
  }
  if (ci.is_object()) {
    g.basis = cr.opt_text(ci, "basis", w + ".carbon_intensity");
  }
  return g;
}

void read_regions_file(const Document& d, Catalog& cat) {
  const Reader r{d.base.file};
  if (const json* v = find(d.doc, "data_version"); v != nullptr) {
    cat.regions_version = r.text(*v, "data_version");
  }
  const Reader dr = d.top.at("default_operator");
  cat.default_operator = dr.text(dr.member(d.doc, "default_operator", "top level"), "default_operator");
  const json& ops = r.member(d.doc, "operators", "top level");
  std::unordered_set<std::string> op_ids;
  std::vector<std::string> op_names;
  for (auto it = ops.begin(); it != ops.end(); ++it) {
    if (is_doc_key(it.key())) {
      continue;
    }
    cat.operators.push_back(read_operator(it.key(), it.value(), d.member(it.key())));
    op_ids.insert(lower(it.key()));
    op_names.push_back(it.key());
  }
  auto check_operator = [&](const Reader& or_, const std::string& id, const std::string& where) {
    if (!op_ids.contains(lower(id))) {
      or_.fail(where, "unknown operator '" + printable(id) + "'" + did_you_mean(id, op_names));
    }
  };
  check_operator(dr, std::string(cat.default_operator), "default_operator");
  const json& list = *find(d.doc, "regions");  // an array: merge() checked
  cat.regions.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Origins& o = d.entries[i];
    cat.regions.push_back(read_region(list[i], o, "regions[" + std::to_string(i) + "]"));
    const Region& g = cat.regions.back();
    if (!g.operator_id.empty()) {
      check_operator(o.at("operator"), std::string(g.operator_id),
                     "region '" + std::string(g.id) + "'.operator");
    }
  }
  // The water intensity of electricity, by region id (a cloud region takes its country's).
  if (const json* water = find(d.doc, "electricity_water"); water != nullptr) {
    const Origins& o = d.block("electricity_water");
    Reader{o.file}.object(*water, "electricity_water");
    std::unordered_map<std::string, Datum> by_id;
    for (auto it = water->begin(); it != water->end(); ++it) {
      if (is_doc_key(it.key())) {
        continue;
      }
      const std::string w = "electricity_water." + it.key();
      Datum datum = o.at(it.key()).datum(it.value(), w);
      if (!(datum.low >= 0)) {
        o.at(it.key()).fail(w, "must not be negative");
      }
      by_id.insert_or_assign(lower(it.key()), datum);
    }
    for (Region& g : cat.regions) {
      const std::string_view key = g.kind == "cloud" && !g.country.empty() ? g.country : g.id;
      if (const auto it = by_id.find(lower(std::string(key))); it != by_id.end()) {
        g.water_intensity = it->second;
      }
    }
  }
}

ModelArch read_model(const Reader& r, const json& e, const std::string& where) {
  ModelArch m;
  m.id = r.text(r.member(e, "id", where), where + ".id");
  const std::string w = "model '" + std::string(m.id) + "'";
  r.known_keys(e, model_keys(), w);
  m.name = r.opt_text(e, "name", w);
  m.aliases = r.strings(e, "aliases", w);
  m.params = r.number(r.member(e, "params", w), w + ".params");
  const json* active = find(e, "active_params");
  m.active_params = active != nullptr ? r.number(*active, w + ".active_params") : m.params;
  auto int_field = [&](const char* key, bool required) {
    const json* v = find(e, key);
    if (v == nullptr) {
      if (required) {
        r.fail(w, std::string("missing key '") + key + "'");
      }
      return 0;
    }
    return r.integer(*v, w + "." + key);
  };
  m.layers = int_field("layers", true);
  m.hidden_size = int_field("hidden_size", true);
  m.heads = int_field("heads", true);
  m.kv_heads = int_field("kv_heads", true);
  m.head_dim = int_field("head_dim", true);
  m.experts = int_field("experts", false);
  m.active_experts = int_field("active_experts", false);
  m.moe_layers = int_field("moe_layers", false);
  const json* context = find(e, "context_length");
  m.context_length = context != nullptr ? r.number(*context, w + ".context_length") : 0;
  m.source = r.opt_text(e, "source", w);
  const json* year = find(e, "year");
  m.year = year != nullptr ? r.integer(*year, w + ".year") : 0;
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
  if (m.moe_layers < 0 || m.moe_layers > m.layers || (m.moe_layers > 0 && m.experts == 0)) {
    r.fail(w, "moe_layers must lie in [0, layers] and needs experts");
  }
  return m;
}

void read_models_file(const Document& d, Catalog& cat) {
  const json& list = *find(d.doc, "models");  // an array: merge() checked
  cat.models.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    cat.models.push_back(read_model(d.entries[i].at("id"), list[i], "models[" + std::to_string(i) + "]"));
  }
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

std::string printable_id(std::string_view id) {
  std::string out;
  for (char c : id.substr(0, 40)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  return out;
}

// An entry's aliases (operators have none).
template <class T>
std::vector<std::string_view> aliases_of(const T& item) {
  if constexpr (requires { item.aliases; }) {
    return item.aliases;
  } else {
    return {};
  }
}

// The names an entry answers to besides its id: its aliases, then its display name.
template <class T>
bool answers_to(const T& item, std::string_view word) {
  if (iequal(item.name, word)) {
    return true;
  }
  const auto aliases = aliases_of(item);
  return std::any_of(aliases.begin(), aliases.end(), [&](std::string_view a) { return iequal(a, word); });
}

template <class T>
const T& find_by_id(const std::vector<T>& items, std::string_view id, std::string_view what,
                    std::string_view list_hint) {
  for (const auto& item : items) {
    if (iequal(item.id, id)) {
      return item;
    }
  }
  // Then an alias or a display name ("H100", "France"): one entry resolves, several are listed.
  std::vector<const T*> named;
  for (const auto& item : items) {
    if (answers_to(item, id)) {
      named.push_back(&item);
    }
  }
  const std::string shown = printable_id(id);
  if (named.size() == 1) {
    return *named.front();
  }
  if (named.size() > 1) {
    std::string list;
    for (std::size_t i = 0; i < named.size(); ++i) {
      list += (i == 0 ? "'" : (i + 1 == named.size() ? " or '" : ", '")) + std::string(named[i]->id) + "'";
    }
    throw InputError("ambiguous " + std::string(what) + " '" + shown + "': it names " + list +
                     "; give one of these ids");
  }
  // Suggestions from ids, aliases and names, each shown as the id it leads to.
  std::vector<std::string> keys;
  std::vector<std::string_view> key_ids;
  for (const auto& item : items) {
    keys.emplace_back(item.id);
    key_ids.push_back(item.id);
    for (const auto a : aliases_of(item)) {
      keys.emplace_back(a);
      key_ids.push_back(item.id);
    }
  }
  std::vector<std::string> ids;
  for (const auto& near : nearest(shown, keys, keys.size())) {
    const auto at = static_cast<std::size_t>(std::find(keys.begin(), keys.end(), near) - keys.begin());
    const std::string target(key_ids[at]);
    if (std::find(ids.begin(), ids.end(), target) == ids.end() && ids.size() < 3) {
      ids.push_back(target);
    }
  }
  std::string hint;
  if (!ids.empty()) {
    hint = " (did you mean ";
    for (std::size_t i = 0; i < ids.size(); ++i) {
      hint += (i ? ", '" : "'") + ids[i] + "'";
    }
    hint += "?)";
  }
  throw InputError("unknown " + std::string(what) + " '" + shown + "'" + hint + "; see '" +
                   std::string(list_hint) + "'");
}

// Reject an alias that is an entry's id (the id would always win), naming the file.
template <class T>
void check_aliases(const std::vector<T>& items, std::string_view file, std::string_view what) {
  std::unordered_map<std::string, std::string_view> ids;
  for (const auto& item : items) {
    ids.emplace(lower(item.id), item.id);
  }
  for (const auto& item : items) {
    for (const auto a : item.aliases) {
      const auto it = ids.find(lower(a));
      if (it != ids.end()) {
        Reader{file}.fail(std::string(what) + " '" + std::string(item.id) + "'.aliases",
                          "'" + printable(a) + "' is the id of " + std::string(what) + " '" +
                              std::string(it->second) + "'");
      }
    }
  }
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
                   "' (use fp32, tf32, bf16, fp16, fp8, int8, int4 or q4)");
}

double bits_of(Precision p) {
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
    case Precision::q4:
      return 4.5;  // llama.cpp Q4_0: 18 bytes per block of 32 weights (ggml-common.h block_q4_0)
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

std::string_view TextStore::keep(std::string text) {
  if (!m_texts) {
    m_texts = std::make_shared<std::deque<std::string>>();
  }
  m_texts->push_back(std::move(text));
  return m_texts->back();
}

Catalog load_catalog(const CatalogSources& sources) {
  Catalog cat;
  const StoreScope scope(cat.text);
  read_hardware_file(merge(sources.hardware, sources.hardware_overrides, hardware_kind()), cat);
  read_regions_file(merge(sources.regions, sources.regions_overrides, regions_kind()), cat);
  read_models_file(merge(sources.models, {}, models_kind()), cat);
  check_aliases(cat.hardware, sources.hardware.name, "hardware");
  check_aliases(cat.regions, sources.regions.name, "region");
  check_aliases(cat.models, sources.models.name, "model");
  cat.index_ids();
  return cat;
}

// builtin_catalog() is generated at build time from the same files (src/codegen/catalog_codegen.cpp),
// so the binary starts without parsing JSON; a unit test checks it equals load_catalog(builtin_sources()).

}  // namespace llm_energy
