// `llm-energy hardware|regions|models list|show ID`: the catalogs, with sources.
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "render/catalog.hpp"

namespace llm_energy::cli {
namespace {

enum class Which { hardware, regions, models };

class CatalogCommand final : public Command {
 public:
  CatalogCommand(CLI::App& cmd, Which which) : m_which(which) {
    cmd.require_subcommand(1);
    const std::string name = cmd.get_name();
    m_list = cmd.add_subcommand("list", "List the " + name);
    m_show = cmd.add_subcommand("show", "Show one entry with the source of every figure");
    m_show->add_option("ID", m_id, "entry id")->required();
    for (auto* c : {m_list, m_show}) {
      m_output.add(*c, {"table", "json"}, "output format", "write to FILE");
      m_catalog.add(*c);
    }
  }

  int run(Io& io) override {
    const auto cat = m_catalog.load();
    const render::Format f = render::parse_format(m_output.format);
    const bool list = m_list->parsed();
    std::string text;
    switch (m_which) {
      case Which::hardware:
        text = list ? render::list_hardware(*cat, f) : render::show_hardware(cat->find_hardware(m_id), f);
        break;
      case Which::regions:
        text = list ? render::list_regions(*cat, f) : render::show_region(*cat, cat->find_region(m_id), f);
        break;
      case Which::models:
        text = list ? render::list_models(*cat, f) : render::show_model(cat->find_model(m_id), f);
        break;
    }
    m_output.emit(io, text);
    return static_cast<int>(Exit::ok);
  }

 private:
  Which m_which;
  CLI::App* m_list = nullptr;
  CLI::App* m_show = nullptr;
  std::string m_id;
  OutputOptions m_output;
  CatalogOptions m_catalog;
};

}  // namespace

std::unique_ptr<Command> make_hardware(CLI::App& cmd) {
  return std::make_unique<CatalogCommand>(cmd, Which::hardware);
}
std::unique_ptr<Command> make_regions(CLI::App& cmd) {
  return std::make_unique<CatalogCommand>(cmd, Which::regions);
}
std::unique_ptr<Command> make_models(CLI::App& cmd) {
  return std::make_unique<CatalogCommand>(cmd, Which::models);
}

}  // namespace llm_energy::cli
