#include "host_runtime/logging.h"

#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

#include "absl/strings/str_format.h"

namespace rill {
namespace {

void WriteAll(int fd, absl::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // Nowhere left to report a failing stderr/stdout.
    }
    text.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

void LogMessage(LogSeverity severity, const char* file, int line,
                absl::string_view message) {
  static constexpr char kLetters[] = {'I', 'W', 'E', 'F'};
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  struct tm tm;
  localtime_r(&tv.tv_sec, &tm);
  const char* base = std::strrchr(file, '/');
  base = base ? base + 1 : file;
  const std::string text = absl::StrFormat(
      "%c %04d-%02d-%02d %02d:%02d:%02d.%06d %d %s:%d] %s\n",
      kLetters[static_cast<int>(severity)], tm.tm_year + 1900, tm.tm_mon + 1,
      tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
      static_cast<int>(tv.tv_usec), static_cast<int>(syscall(SYS_gettid)), base,
      line, message);
  // stdout may hold buffered output from elsewhere; flush it first so the
  // merged order is true.
  std::fflush(stdout);
  WriteAll(STDERR_FILENO, text);
  if (severity == LogSeverity::kFatal) std::abort();
}

void PrintAtomically(absl::string_view text) {
  std::fflush(stdout);
  WriteAll(STDOUT_FILENO, text);
}

void PrintAtomicallyToStderr(absl::string_view text) {
  std::fflush(stderr);
  WriteAll(STDERR_FILENO, text);
}

}  // namespace rill
