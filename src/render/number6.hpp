#pragma once
// Numbers in machine-readable output keep six significant digits. round6() is the double
// nearest that 6-digit decimal (what JSON carries); append_number6() writes the decimal itself
// in the layout of nlohmann::json's dump ("1.5", "100.0", "0.000123", "4.2e+22"). Both take a
// fast path (a correctly rounded scaling, as in Clinger's strtod fast path) and fall back to
// fmt's exact formatting near a rounding tie or outside 1e-22..1e22 scaling.
#include <string>

namespace llm_energy::render {

// Round to 6 significant digits (stable golden files, no spurious precision). Non-finite
// values and zero are returned unchanged.
[[nodiscard]] double round6(double v);

// Append the 6-significant-digit decimal of `v` (trailing zeros dropped) to `out`; "null" when
// `v` is not finite. Parsing the text gives round6(v) exactly.
void append_number6(std::string& out, double v);

// The room write_number6 needs: the longest text is 18 chars ("-123456000000000.0"), and it
// writes fixed-size blocks of up to 16 bytes past the current position.
inline constexpr int k_number6_max = 32;
// Write the same text at `p` (room for k_number6_max chars); return the end.
char* write_number6(char* p, double v);

}  // namespace llm_energy::render
