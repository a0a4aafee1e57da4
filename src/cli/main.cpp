// The amber command line tool: parses the command line and runs one subcommand.
#include <CLI/CLI.hpp>
#include <iostream>
#include <new>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "format/layout.hpp"

#ifndef AMBER_VERSION
#define AMBER_VERSION "unknown"
#endif

namespace amber::cli {
namespace {

std::string version_text() {
  std::string reads;
  for (auto major = kOldestFormatMajor; major <= kFormatMajor; ++major) {
    reads += (major == kOldestFormatMajor ? "" : " and ") + std::to_string(major) + ".x";
  }
  return std::string("amber ") + AMBER_VERSION + "\nfile format " + std::to_string(kFormatMajor) +
         "." + std::to_string(kFormatMinor) + " (reads " + reads + ")";
}

// Parses the command line and runs the chosen subcommand; returns the exit code.
int run(int argc, char** argv) {
  CLI::App app("amber: inspect, verify, sign and run .amber model files", "amber");
  app.set_version_flag("--version", version_text(), "Print the version and the format it reads");
  app.require_subcommand(0, 1);
  InspectOptions inspect;
  VerifyOptions verify;
  CLI::App* inspect_command = add_inspect_command(app, inspect);
  CLI::App* verify_command = add_verify_command(app, verify);
  SignOptions sign;
  KeygenOptions keygen;
  CLI::App* sign_command = add_sign_command(app, sign);
  CLI::App* keygen_command = add_keygen_command(app, keygen);
  PredictOptions predict;
  CLI::App* predict_command = add_predict_command(app, predict);
  CardOptions card;
  CLI::App* card_command = add_card_command(app, card);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? kExitOk : kExitUsage;
  }
  if (inspect_command->parsed()) return run_inspect(inspect);
  if (verify_command->parsed()) return run_verify(verify);
  if (sign_command->parsed()) return run_sign(sign);
  if (keygen_command->parsed()) return run_keygen(keygen);
  if (predict_command->parsed()) return run_predict(predict);
  if (card_command->parsed()) return run_card(card);
  std::cerr << app.help();
  return kExitUsage;
}

// Standard output may fail (a full disk, a closed pipe): that is an I/O error, not success.
int check_output(int code) {
  std::cout.flush();
  if (std::cout) return code;
  std::cerr << "amber: cannot write to standard output\n";
  return code == kExitOk ? kExitIo : code;
}

}  // namespace
}  // namespace amber::cli

int main(int argc, char** argv) {
  using namespace amber::cli;
  try {
    return check_output(run(argc, argv));
  } catch (const std::bad_alloc&) {
    std::cerr << "amber: out of memory\n";
  } catch (const std::exception& error) {
    std::cerr << "amber: internal error: " << error.what() << '\n';
  } catch (...) {
    std::cerr << "amber: internal error\n";
  }
  return kExitInternal;
}
