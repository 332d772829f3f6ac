#include "cli/io.hpp"

#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "llm_energy/error.hpp"

namespace llm_energy::cli {

std::string read_file(const std::string& path) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    throw InputError(path + ": no such file");
  }
  if (std::filesystem::is_directory(status)) {
    throw InputError(path + ": is a directory, not a file");
  }
  constexpr std::uintmax_t k_max_size = 16u << 20;  // settings and catalogs are small
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > k_max_size) {
    throw InputError(path + ": is larger than 16 MiB; not a settings or catalog file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw InputError(path + ": cannot be read (" + std::strerror(errno) + ")");
  }
  std::string text;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) {
    throw InputError(path + ": read error");
  }
  return text;
}

void write_file_atomic(const std::string& path, std::string_view text) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  std::error_code ec;
  if (fs::is_directory(target, ec)) {
    throw InputError(path + ": is a directory, not a file");
  }
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const fs::path tmp = dir / ("." + target.filename().string() + ".tmp." + std::to_string(::getpid()));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      throw InputError(path + ": cannot write (" + std::strerror(errno) + ")");
    }
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) {
      out.close();
      fs::remove(tmp, ec);
      throw InputError(path + ": write failed");
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw InputError(path + ": cannot write (" + ec.message() + ")");
  }
}

namespace {

std::string temp_path_for(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  std::error_code ec;
  if (fs::is_directory(target, ec)) {
    throw InputError(path + ": is a directory, not a file");
  }
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  return (dir / ("." + target.filename().string() + ".tmp." + std::to_string(::getpid()))).string();
}

}  // namespace

AtomicOutputFile::AtomicOutputFile(const std::string& path) : m_path(path), m_tmp(temp_path_for(path)) {
  m_out.open(m_tmp, std::ios::binary | std::ios::trunc);
  if (!m_out) {
    throw InputError(path + ": cannot write (" + std::strerror(errno) + ")");
  }
}

AtomicOutputFile::~AtomicOutputFile() {
  if (!m_done) {
    m_out.close();
    std::error_code ec;
    std::filesystem::remove(m_tmp, ec);
  }
}

void AtomicOutputFile::commit() {
  namespace fs = std::filesystem;
  std::error_code ec;
  m_out.flush();
  const bool ok = static_cast<bool>(m_out);
  m_out.close();
  if (!ok || m_out.fail()) {
    fs::remove(m_tmp, ec);
    m_done = true;
    throw InputError(m_path + ": write failed");
  }
  fs::rename(m_tmp, m_path, ec);
  m_done = true;
  if (ec) {
    fs::remove(m_tmp, ec);
    throw InputError(m_path + ": cannot write (" + ec.message() + ")");
  }
}

}  // namespace llm_energy::cli
