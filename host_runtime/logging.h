// Declares Rill's log lines (spec §7.4): one line on stderr,
//   <S> <YYYY-MM-DD HH:MM:SS.uuuuuu> <thread-id> <source-file>:<line>]
//   <message>
// with S one of I, W, E, F. A fatal message aborts after it is written.
//
// Thread-safety: each line is formatted in full and written with one write(2),
// so lines from different threads never mix and stdout/stderr interleave in
// true order.

#ifndef RILL_HOST_RUNTIME_LOGGING_H_
#define RILL_HOST_RUNTIME_LOGGING_H_

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace rill {

enum class LogSeverity { kInfo, kWarning, kError, kFatal };

// Writes one log line. `file` is shortened to its base name.
void LogMessage(LogSeverity severity, const char* file, int line,
                absl::string_view message);

// Writes `text` (one or more complete lines) to stdout with a single write(2),
// unbuffered.
void PrintAtomically(absl::string_view text);
// The same for stderr (diagnostics), so merged output keeps true order.
void PrintAtomicallyToStderr(absl::string_view text);

}  // namespace rill

// RILL_LOG(INFO, "Allocating ", n, " bytes.") — arguments are concatenated with
// absl::StrCat.
#define RILL_LOG(severity, ...)                                         \
  ::rill::LogMessage(::rill::LogSeverity::RILL_LOG_SEVERITY_##severity, \
                     __FILE__, __LINE__, ::absl::StrCat(__VA_ARGS__))
#define RILL_LOG_SEVERITY_INFO kInfo
#define RILL_LOG_SEVERITY_WARNING kWarning
#define RILL_LOG_SEVERITY_ERROR kError
#define RILL_LOG_SEVERITY_FATAL kFatal

#endif  // RILL_HOST_RUNTIME_LOGGING_H_
