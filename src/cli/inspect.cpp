// `amber inspect`: the header, digest, array table, metadata and graph summary of a file.
#include <simdjson.h>

#include <CLI/CLI.hpp>
#include <array>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/exit_codes.hpp"
#include "cli/inspect_json.hpp"
#include "cli/json_print.hpp"
#include "cli/text.hpp"
#include "format/hashing.hpp"
#include "format/reader.hpp"

namespace amber::cli {
namespace {

constexpr size_t kColumns = 7;
using Row = std::array<std::string, kColumns>;
constexpr std::array<bool, kColumns> kRightAligned = {true, false, false, false, false, true, true};

void append_field(std::string& out, std::string_view label, std::string_view value) {
  append_padded(out, label, 12, false);
  out += value;
  out += '\n';
}

std::string size_with_bytes(uint64_t bytes) {
  if (bytes < 1024) return human_size(bytes);
  return human_size(bytes) + " (" + std::to_string(bytes) + " bytes)";
}

void append_header_section(std::string& out, std::string_view path, const Reader& reader) {
  const Header& header = reader.header();
  append_field(out, "file", terminal_safe(path));
  append_field(out, "format",
               std::to_string(header.format_major) + "." + std::to_string(header.format_minor));
  append_field(out, "file size", size_with_bytes(reader.file_size()));
  std::string manifest = size_with_bytes(header.manifest_length);
  if (header.manifest_compressed()) {
    manifest += ", zstd of " + size_with_bytes(reader.manifest_json().size()) + " of JSON";
  }
  append_field(out, "manifest", manifest);
  append_field(out, "data", size_with_bytes(header.data_length));
  append_field(out, "signature", size_with_bytes(reader.footer().signature_length));
  append_field(out, "digest", digest_hex(reader.footer().content_digest));
}

void append_array_summary(std::string& out, const Reader& reader) {
  const ArrayTotals totals = array_totals(reader.arrays());
  append_field(out, "arrays",
               std::to_string(reader.arrays().size()) + ": " + human_size(totals.stored) +
                   " stored, " + human_size(totals.decoded) + " decoded (ratio " +
                   ratio_text(totals.decoded, totals.stored) + ")");
}

Row array_row(size_t index, const ArrayInfo& info) {
  return {
      std::to_string(index),          terminal_safe(info.name), std::string(dtype_name(info.dtype)),
      shape_text(info.shape),         codec_text(info),         human_size(info.length),
      human_size(info.decoded_length)};
}

std::array<size_t, kColumns> column_widths(const std::vector<Row>& rows) {
  std::array<size_t, kColumns> widths{};
  for (const Row& row : rows) {
    for (size_t c = 0; c < kColumns; ++c) widths[c] = std::max(widths[c], display_width(row[c]));
  }
  return widths;
}

void append_row(std::string& out, const Row& row, const std::array<size_t, kColumns>& widths) {
  out += ' ';
  for (size_t c = 0; c < kColumns; ++c) {
    out += "  ";
    append_padded(out, row[c], widths[c], kRightAligned[c]);
  }
  out += '\n';
}

void append_array_table(std::string& out, const std::vector<ArrayInfo>& arrays) {
  if (arrays.empty()) return;
  std::vector<Row> rows = {{"#", "name", "dtype", "shape", "codec", "stored", "decoded"}};
  for (size_t i = 0; i < arrays.size(); ++i) rows.push_back(array_row(i, arrays[i]));
  const auto widths = column_widths(rows);
  out += '\n';
  for (const Row& row : rows) append_row(out, row, widths);
}

void append_metadata(std::string& out, const simdjson::dom::element& root) {
  simdjson::dom::element metadata;
  out += "\nmetadata\n";
  if (root.at_key("metadata").get(metadata) != simdjson::SUCCESS) {
    out += "  (none)\n";
    return;
  }
  out += "  ";
  append_pretty_json(out, metadata, 1);
  out += '\n';
}

// "object of 3 members, 10 values, depth 3"; a scalar graph is only its kind.
std::string graph_summary_text(const JsonSummary& summary) {
  if (summary.depth == 0) return std::string(summary.kind);
  const char* unit = summary.kind == "object" ? " members, " : " elements, ";
  return std::string(summary.kind) + " of " + std::to_string(summary.size) + unit +
         std::to_string(summary.values) + " values, depth " + std::to_string(summary.depth);
}

void append_graph(std::string& out, const simdjson::dom::element& root, bool full) {
  simdjson::dom::element graph;
  out += '\n';
  if (root.at_key("graph").get(graph) != simdjson::SUCCESS) {
    append_field(out, "graph", "(none)");
    return;
  }
  append_field(out, "graph", graph_summary_text(summarize_json(graph)));
  if (!full) return;
  out += "  ";
  append_pretty_json(out, graph, 1);
  out += '\n';
}

std::string human_report(const std::string& path, const Reader& reader, bool full_graph) {
  std::string out;
  append_header_section(out, path, reader);
  append_array_summary(out, reader);
  append_array_table(out, reader.arrays());
  append_metadata(out, reader.manifest().root());
  append_graph(out, reader.manifest().root(), full_graph);
  return terminal_safe_json(out);
}

int inspect(const InspectOptions& options) {
  const Reader reader = Reader::open(options.path, options.limits);
  const std::string out = options.json ? json_report(options.path, reader, options.graph) + '\n'
                                       : human_report(options.path, reader, options.graph);
  std::cout << out;
  return kExitOk;
}

}  // namespace

CLI::App* add_inspect_command(CLI::App& app, InspectOptions& options) {
  CLI::App* command = app.add_subcommand(
      "inspect", "Show a file's header, digest, arrays, metadata and graph (nothing is run)");
  command->add_option("FILE", options.path, "The .amber file")->required();
  command->add_flag("--json", options.json, "Print one JSON object for machines");
  command->add_flag("--graph", options.graph, "Also print the whole object graph");
  add_limit_options(*command, options.limits);
  return command;
}

int run_inspect(const InspectOptions& options) {
  return run_reporting_errors("inspect", options.path, [&] { return inspect(options); });
}

}  // namespace amber::cli
