#include <iostream>

#include "cli/app.hpp"
#include "cli/io.hpp"

int main(int argc, char** argv) {
  // Closed standard descriptors are held by /dev/null (unusable, as closed ones), and std::cout
  // writes through a checked descriptor buffer (cli/io.hpp).
  const llm_energy::cli::StandardStreams streams;
  return llm_energy::cli::run(argc, argv, std::cout, std::cerr);
}
