#pragma once
// Numeric formats: the precision a model's weights are stored in and, where the chip has a
// peak for it, computed in.
#include <array>
#include <string_view>

namespace llm_energy {

// q4: the GGUF-style 4-bit block formats local runtimes use (llama.cpp Q4_0: 32 weights of 4 bits
// plus one 16-bit scale = 4.5 bits per weight; Q4_K_M averages ~4.8), weight-only: no chip has a
// q4 peak, the weights are dequantised to the compute precision.
enum class Precision { fp32, tf32, bf16, fp16, fp8, int8, int4, q4 };
inline constexpr std::array<Precision, 8> k_all_precisions = {
    Precision::fp32, Precision::tf32, Precision::bf16, Precision::fp16,
    Precision::fp8,  Precision::int8, Precision::int4, Precision::q4};

[[nodiscard]] std::string_view to_string(Precision p);
// Return the precision named by `text` (any case); throws InputError listing the valid names.
[[nodiscard]] Precision parse_precision(std::string_view text);
// Return the storage bits of one value at this precision (fp32/tf32 store 32 bits; q4 4.5, its
// block scales included).
[[nodiscard]] double bits_of(Precision p);

}  // namespace llm_energy
