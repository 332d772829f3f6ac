#include "render/catalog.hpp"

#include <fmt/format.h>

#include "render/format_units.hpp"
#include "render/text_table.hpp"

namespace llm_energy::render {
namespace {

using json = nlohmann::ordered_json;

}  // namespace

json datum_json(const Datum& d) {
  json j{{"value", d.value}};
  if (d.low != d.value || d.high != d.value) {
    j["low"] = d.low;
    j["high"] = d.high;
  }
  j["source"] = d.source;
  if (d.year) {
    j["year"] = d.year;
  }
  if (!d.note.empty()) {
    j["note"] = d.note;
  }
  return j;
}

std::string list_hardware(const Catalog& cat, Format f) {
  if (f == Format::json) {
    json arr = json::array();
    for (const auto& h : cat.hardware) {
      json peaks = json::object();
      for (Precision p : k_all_precisions) {
        if (h.peak(p)) {
          peaks[std::string(to_string(p))] = h.peak(p)->value;
        }
      }
      arr.push_back({{"id", h.id},
                     {"name", h.name},
                     {"generation", h.generation},
                     {"kind", h.kind},
                     {"release_year", h.release_year},
                     {"tdp_w", h.tdp_w.value},
                     {"peak_tflops", peaks},
                     {"memory_gb", h.memory_gb.value},
                     {"memory_bandwidth_gbps", h.memory_bandwidth_gbps.value},
                     {"embodied_kgco2e", h.embodied_kgco2e.value}});
    }
    return json{{"data_version", cat.hardware_version}, {"hardware", arr}}.dump(2) + "\n";
  }
  TextTable t({{"id", Align::left, 16},
               {"name", Align::left, 34, 0},
               {"TDP W", Align::right, 6},
               {"16-bit TF", Align::right, 9},
               {"mem GB", Align::right, 8},
               {"BW GB/s", Align::right, 8},
               {"year", Align::right, 5}},
              "", " ");
  for (const auto& h : cat.hardware) {
    const auto& p16 = h.peak(Precision::bf16) ? h.peak(Precision::bf16) : h.peak(Precision::fp16);
    t.add({std::string(h.id), std::string(h.name.substr(0, 34)), sig3(h.tdp_w.value),
           p16 ? sig3(p16->value) : "-", sig3(h.memory_gb.value), sig3(h.memory_bandwidth_gbps.value),
           std::to_string(h.release_year)});
  }
  return t.str();
}

namespace {

// "  aliases: a, b\n", or nothing for an entry without aliases.
std::string aliases_line(const std::vector<std::string_view>& aliases) {
  if (aliases.empty()) {
    return "";
  }
  std::string out = "  aliases: ";
  for (std::size_t i = 0; i < aliases.size(); ++i) {
    out += (i ? ", " : "") + escape_control(aliases[i]);
  }
  return out + "\n";
}

}  // namespace

std::string show_hardware(const Hardware& h, Format f) {
  json j{{"id", h.id},
         {"name", h.name},
         {"aliases", h.aliases},
         {"vendor", h.vendor},
         {"generation", h.generation},
         {"kind", h.kind},
         {"release_year", h.release_year},
         {"tdp_w", datum_json(h.tdp_w)}};
  json peaks = json::object();
  for (Precision p : k_all_precisions) {
    if (h.peak(p)) {
      peaks[std::string(to_string(p))] = datum_json(*h.peak(p));
    }
  }
  j["peak_tflops"] = peaks;
  if (h.sparse_speedup) {
    j["sparse_speedup"] = datum_json(*h.sparse_speedup);
  }
  j["memory_gb"] = datum_json(h.memory_gb);
  j["memory_bandwidth_gbps"] = datum_json(h.memory_bandwidth_gbps);
  j["embodied_kgco2e"] = datum_json(h.embodied_kgco2e);
  if (h.kind == "accelerator") {  // CPUs and edge devices serve only: no training figures
    j["training_mfu"] = datum_json(h.training_mfu);
    j["avg_power_fraction"] = datum_json(h.avg_power_fraction);
  }
  j["idle_power_fraction"] = datum_json(h.idle_power_fraction);
  j["host_power_w"] = datum_json(h.host_power_w);
  j["host_embodied_kgco2e"] = datum_json(h.host_embodied_kgco2e);
  j["service_life_years"] = datum_json(h.service_life_years);
  j["notes"] = h.notes;
  if (f == Format::json) {
    return j.dump(2) + "\n";
  }
  const auto esc = escape_control;  // catalog text can come from a user's --hardware-file
  std::string out = esc(h.id) + ": " + esc(h.name) + " (" + esc(h.vendor) + ", " + esc(h.generation) + ", " +
                    (h.kind == "accelerator" ? "" : esc(h.kind) + ", ") + std::to_string(h.release_year) +
                    ")\n" + aliases_line(h.aliases);
  TextTable peak_rows({{"", Align::left, 4}, {"", Align::left, 6}, {"", Align::right, 10}, {}}, "  ", " ");
  TextTable datum_rows({{"", Align::left, 22}, {"", Align::left, 20}, {}}, "  ", " ");
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it.value().is_object()) {
      continue;
    }
    if (it.key() == "peak_tflops") {
      for (auto p = it.value().begin(); p != it.value().end(); ++p) {
        peak_rows.add({"peak", p.key(), sig3(p.value()["value"].get<double>()),
                       "TFLOP/s  " + p.value()["source"].get<std::string>()});
      }
      continue;
    }
    const auto& d = it.value();
    std::string v = sig3(d["value"].get<double>());
    if (d.contains("low")) {
      v += " (" + sig3(d["low"].get<double>()) + "\u2013" + sig3(d["high"].get<double>()) + ")";
    }
    datum_rows.add({it.key(), v,
                    d["source"].get<std::string>() +
                        (d.contains("year") ? " (" + std::to_string(d["year"].get<int>()) + ")" : "")});
  }
  // Datum rows in catalog order, with the peaks after tdp_w (as the JSON lists them).
  const std::string datum_text = datum_rows.str(false);
  const std::size_t first_break = datum_text.find('\n');
  out += datum_text.substr(0, first_break + 1) + peak_rows.str(false) + datum_text.substr(first_break + 1);
  if (!h.notes.empty()) {
    out += "  notes: " + esc(h.notes) + "\n";
  }
  return out;
}

std::string list_regions(const Catalog& cat, Format f) {
  if (f == Format::json) {
    json arr = json::array();
    for (const auto& r : cat.regions) {
      arr.push_back({{"id", r.id},
                     {"name", r.name},
                     {"kind", r.kind},
                     {"provider", r.provider},
                     {"carbon_intensity", datum_json(r.carbon_intensity)},
                     {"basis", r.basis},
                     {"pue", cat.operator_for(r).pue.value}});
    }
    json ops = json::object();
    for (const auto& o : cat.operators) {
      ops[o.id] = {
          {"name", o.name}, {"pue", datum_json(o.pue)}, {"wue_l_per_kwh", datum_json(o.wue_l_per_kwh)}};
    }
    return json{{"data_version", cat.regions_version},
                {"default_operator", cat.default_operator},
                {"operators", ops},
                {"regions", arr}}
               .dump(2) +
           "\n";
  }
  TextTable t({{"id", Align::left, 26},
               {"kind", Align::left, 8},
               {"name", Align::left, 34},
               {"gCO2e/kWh", Align::right, 9},
               {"year", Align::right, 5},
               {"basis", Align::left, 12},
               {"PUE", Align::right, 5}},
              "", " ");
  for (const auto& r : cat.regions) {
    t.add({std::string(r.id), std::string(r.kind), std::string(r.name.substr(0, 34)),
           sig3(r.carbon_intensity.value), std::to_string(r.carbon_intensity.year), std::string(r.basis),
           sig3(cat.operator_for(r).pue.value)});
  }
  return t.str();
}

std::string show_region(const Catalog& cat, const Region& r, Format f) {
  const Operator& op = cat.operator_for(r);
  json j{{"id", r.id},
         {"name", r.name},
         {"aliases", r.aliases},
         {"kind", r.kind},
         {"provider", r.provider},
         {"country", r.country},
         {"basis", r.basis},
         {"carbon_intensity", datum_json(r.carbon_intensity)},
         {"operator", op.id},
         {"pue", datum_json(op.pue)},
         {"wue_l_per_kwh", datum_json(op.wue_l_per_kwh)}};
  if (r.water_intensity) {
    j["water_intensity"] = datum_json(*r.water_intensity);
  }
  if (f == Format::json) {
    return j.dump(2) + "\n";
  }
  const auto& ci = r.carbon_intensity;
  const auto esc = escape_control;  // catalog text can come from a user's --regions-file
  return fmt::format(
             "{}: {} ({}{})\n{}  carbon intensity  {} gCO2e/kWh ({}\u2013{}), {} {}, location-based\n"
             "                    {}\n  PUE ({})  {} ({}\u2013{}) {}\n",
             esc(r.id), esc(r.name), esc(r.kind), r.provider.empty() ? "" : ", " + esc(r.provider),
             aliases_line(r.aliases), sig3(ci.value), sig3(ci.low), sig3(ci.high), esc(r.basis), ci.year,
             esc(ci.source), esc(op.id), sig3(op.pue.value), sig3(op.pue.low), sig3(op.pue.high),
             esc(op.pue.source)) +
         fmt::format("  WUE ({})  {} L/kWh ({}\u2013{}) on site\n", esc(op.id), sig3(op.wue_l_per_kwh.value),
                     sig3(op.wue_l_per_kwh.low), sig3(op.wue_l_per_kwh.high)) +
         (r.water_intensity
              ? fmt::format("  water of electricity  {} L/kWh ({}\u2013{}), {}\n",
                            sig3(r.water_intensity->value), sig3(r.water_intensity->low),
                            sig3(r.water_intensity->high), esc(r.water_intensity->source))
              : std::string("  water of electricity  no sourced figure (on-site water only)\n"));
}

json model_json(const ModelArch& m) {
  return {{"id", m.id},
          {"name", m.name},
          {"params", m.params},
          {"active_params", m.active_params},
          {"layers", m.layers},
          {"hidden_size", m.hidden_size},
          {"heads", m.heads},
          {"kv_heads", m.kv_heads},
          {"head_dim", m.head_dim},
          {"experts", m.experts},
          {"active_experts", m.active_experts},
          {"context_length", m.context_length},
          {"source", m.source},
          {"year", m.year}};
}

std::string list_models(const Catalog& cat, Format f) {
  if (f == Format::json) {
    json arr = json::array();
    for (const auto& m : cat.models) {
      arr.push_back(model_json(m));
    }
    return json{{"models", arr}}.dump(2) + "\n";
  }
  TextTable t({{"id", Align::left, 28},
               {"params", Align::right, 8},
               {"active", Align::right, 8},
               {"layers", Align::right, 6},
               {"hidden", Align::right, 7},
               {"kv_h", Align::right, 5},
               {"hdim", Align::right, 4},
               {"experts", Align::right, 8}},
              "", " ");
  for (const auto& m : cat.models) {
    t.add({std::string(m.id), human_count(m.params), human_count(m.active_params), std::to_string(m.layers),
           std::to_string(m.hidden_size), std::to_string(m.kv_heads), std::to_string(m.head_dim),
           m.experts ? fmt::format("{}/{}", m.active_experts, m.experts) : "-"});
  }
  return t.str();
}

std::string show_model(const ModelArch& m, Format f) {
  json j = model_json(m);
  j["aliases"] = m.aliases;
  j["note"] = m.note;
  if (f == Format::json) {
    return j.dump(2) + "\n";
  }
  std::string out = escape_control(m.id) + ": " + escape_control(m.name) + "\n" + aliases_line(m.aliases);
  TextTable t({{"", Align::left, 16}, {}}, "  ", " ");
  t.add({"params", human_count(m.params)});
  if (m.active_params != m.params) {
    t.add({"active params", human_count(m.active_params)});
  }
  t.add({"layers", std::to_string(m.layers)});
  t.add({"hidden size", std::to_string(m.hidden_size)});
  t.add({"heads", std::to_string(m.heads) + " (" + std::to_string(m.kv_heads) + " KV heads of " +
                      std::to_string(m.head_dim) + ")"});
  if (m.experts > 0) {
    t.add({"experts", std::to_string(m.active_experts) + " of " + std::to_string(m.experts) + " per token"});
  }
  if (m.context_length > 0) {
    t.add({"context", human_count(m.context_length) + " tokens"});
  }
  t.add({"source", std::string(m.source) + (m.year ? " (" + std::to_string(m.year) + ")" : "")});
  out += t.str(false);
  if (!m.note.empty()) {
    out += "  note: " + escape_control(m.note) + "\n";
  }
  return out;
}

}  // namespace llm_energy::render
