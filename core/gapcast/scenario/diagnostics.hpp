#pragma once
/// Located diagnostics for input files, collected rather than thrown one at a time.
///
/// Loading a scenario gathers every problem it can find before giving up, and reports each as
///   file:line:column: error: /json/pointer: what is wrong; what was expected
/// which editors and terminals turn into clickable locations. InputError carries the whole
/// list; the CLI prints it and exits with status 2.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace gapcast {

class JsonLocator;

enum class Severity { error, warning };

struct Diagnostic {
  Severity severity = Severity::error;
  std::string file;          ///< as the user named it (may be empty for in-memory input)
  std::size_t line = 0;      ///< 1-based; 0 when unknown
  std::size_t column = 0;    ///< 1-based; 0 when unknown
  /// RFC 6901 JSON Pointer; empty for whole-file problems. For a value given on the command
  /// line (file "<command line>") it holds the --set argument instead, and the message starts
  /// with the pointer inside that argument's value when there is one.
  std::string pointer;
  std::string message;
};

/// "file:line:col: error: /pointer: message" (parts that are unknown are left out).
std::string format_diagnostic(const Diagnostic& d);

/// Thrown when input cannot be used. what() is every error diagnostic, one per line.
class InputError : public std::runtime_error {
 public:
  explicit InputError(std::vector<Diagnostic> diagnostics);
  [[nodiscard]] const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

/// Thrown when a sampled world makes the dynamics fail (a state overflows or the solver makes no
/// progress). The message names the sample, the scenario, the state and the parameters that
/// drove it; it is the input's fault, so the CLI exits with status 2.
class SimulationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Where a JSON document came from, for turning pointers into line and column.
struct DocumentRef {
  std::string file;                    ///< display name
  const JsonLocator* locator = nullptr;  ///< may be null (in-memory dicts from Python)
};

/// Collects diagnostics across one or more documents.
class Diagnostics {
 public:
  void error(const DocumentRef& doc, std::string pointer, std::string message);
  void warning(const DocumentRef& doc, std::string pointer, std::string message);
  /// A problem with a file as a whole (missing, unreadable): no pointer, no position.
  void file_error(const std::string& file, std::string message);
  /// A problem at a known text position (syntax errors).
  void error_at(const std::string& file, std::size_t line, std::size_t column,
                std::string message);
  void add(Diagnostic d);

  [[nodiscard]] bool has_errors() const { return error_count_ > 0; }
  [[nodiscard]] std::size_t error_count() const { return error_count_; }
  [[nodiscard]] const std::vector<Diagnostic>& all() const { return items_; }
  [[nodiscard]] std::vector<Diagnostic> warnings() const;
  /// Throws InputError with every error (warnings stay available through all()).
  void throw_if_errors() const;

 private:
  void push(Severity severity, const DocumentRef& doc, std::string pointer, std::string message);
  std::vector<Diagnostic> items_;
  std::size_t error_count_ = 0;
};

}  // namespace gapcast
