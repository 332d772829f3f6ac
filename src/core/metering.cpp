#include "llm_energy/metering.hpp"

#include <array>

#include "llm_energy/model.hpp"
#include "propagate.hpp"

namespace llm_energy {

std::string_view to_string(DeviceKind k) {
  switch (k) {
    case DeviceKind::cpu_package:
      return "cpu-package";
    case DeviceKind::dram:
      return "dram";
    case DeviceKind::gpu:
      return "gpu";
  }
  return "gpu";
}

std::string_view to_string(MeterMethod m) {
  return m == MeterMethod::counter ? "counter" : "power-sampling";
}

MeasuredFootprint account(const std::vector<DeviceEnergy>& devices, const Grid& grid) {
  MeasuredFootprint f;
  for (const auto& d : devices) {
    f.server_j += d.energy_j;
    if (d.kind == DeviceKind::gpu) {
      f.accelerator_j += d.energy_j;
    }
  }
  f.accelerator_kwh = f.accelerator_j / 3.6e6;
  f.server_kwh = f.server_j / 3.6e6;
  detail::Inputs in{};
  for (auto& r : in) {
    r = Range::exact(0);
  }
  in[static_cast<std::size_t>(Uncertain::pue)] = grid.pue;
  in[static_cast<std::size_t>(Uncertain::carbon_intensity)] = grid.intensity;
  const double server_kwh = f.server_kwh;
  const auto s = detail::propagate<2>(in, [server_kwh](const detail::Point& x) {
    const double kwh = model::facility_kwh(server_kwh, x[static_cast<std::size_t>(Uncertain::pue)]);
    return std::array<double, 2>{
        kwh, model::co2e_kg(kwh, x[static_cast<std::size_t>(Uncertain::carbon_intensity)])};
  });
  f.energy_kwh = s[0].value;
  f.co2e_kg = s[1].value;
  f.energy_interval = s[0].interval();
  f.co2e_interval = s[1].interval();
  return f;
}

}  // namespace llm_energy
