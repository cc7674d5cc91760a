#include "gapcast/scenario/diagnostics.hpp"

#include "gapcast/scenario/json_locator.hpp"

namespace gapcast {

std::string format_diagnostic(const Diagnostic& d) {
  std::string out;
  if (!d.file.empty()) {
    out += d.file;
    if (d.line > 0) {
      out += ':' + std::to_string(d.line);
      if (d.column > 0) out += ':' + std::to_string(d.column);
    }
    out += ": ";
  }
  out += d.severity == Severity::error ? "error: " : "warning: ";
  if (!d.pointer.empty()) out += d.pointer + ": ";
  out += d.message;
  return out;
}

namespace {
std::string join_errors(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  for (const auto& d : diagnostics) {
    if (d.severity != Severity::error) continue;
    if (!text.empty()) text += '\n';
    text += format_diagnostic(d);
  }
  return text.empty() ? std::string("invalid input") : text;
}
}  // namespace

InputError::InputError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join_errors(diagnostics)), diagnostics_(std::move(diagnostics)) {}

void Diagnostics::push(Severity severity, const DocumentRef& doc, std::string pointer,
                       std::string message) {
  Diagnostic d;
  d.severity = severity;
  d.file = doc.file;
  if (doc.locator != nullptr) {
    const TextLocation where = doc.locator->nearest(pointer);
    d.line = where.line;
    d.column = where.column;
  }
  d.pointer = pointer.empty() ? std::string("/") : std::move(pointer);
  d.message = std::move(message);
  add(std::move(d));
}

void Diagnostics::error(const DocumentRef& doc, std::string pointer, std::string message) {
  push(Severity::error, doc, std::move(pointer), std::move(message));
}

void Diagnostics::warning(const DocumentRef& doc, std::string pointer, std::string message) {
  push(Severity::warning, doc, std::move(pointer), std::move(message));
}

void Diagnostics::file_error(const std::string& file, std::string message) {
  Diagnostic d;
  d.file = file;
  d.message = std::move(message);
  add(std::move(d));
}

void Diagnostics::error_at(const std::string& file, std::size_t line, std::size_t column,
                           std::string message) {
  Diagnostic d;
  d.file = file;
  d.line = line;
  d.column = column;
  d.message = std::move(message);
  add(std::move(d));
}

void Diagnostics::add(Diagnostic d) {
  if (d.severity == Severity::error) ++error_count_;
  items_.push_back(std::move(d));
}

std::vector<Diagnostic> Diagnostics::warnings() const {
  std::vector<Diagnostic> out;
  for (const auto& d : items_) {
    if (d.severity == Severity::warning) out.push_back(d);
  }
  return out;
}

void Diagnostics::throw_if_errors() const {
  if (has_errors()) throw InputError(items_);
}

}  // namespace gapcast
