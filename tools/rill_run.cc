// rill-run: runs the functions of a BEF executable, compatible with TFRT's
// bef_executor (host_dialect.md §8): the same flags, banners, result lines,
// lazily verified runtime diagnostics and allocator exit check. Beyond TFRT:
// --help, --version, --plugin, --trace=<file.json> (a Chrome/Perfetto trace
// with one slice per executed kernel) and --benchmark=<N> (per-function
// latency percentiles).

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "bef/bef_file.h"
#include "executor/bef_executor.h"
#include "host_runtime/execution_context.h"
#include "host_runtime/host_allocator.h"
#include "host_runtime/host_context.h"
#include "host_runtime/logging.h"
#include "host_runtime/work_queue.h"
#include "tools/diagnostic_verifier.h"

namespace rill {
namespace {

constexpr char kVersion[] = "rill-run 0.5.0 (BEF format 1)";

constexpr char kHelp[] = R"(usage: rill-run [flags] [input]

Runs the functions of a BEF executable (from rill-translate -mlir-to-bef).
input is a file, or '-' / nothing for standard input. Flags take one or two
dashes and their value as --flag=value or --flag value.

  --functions=f,g            run these functions, in this order (may repeat)
  --test_init_function=f     run f first
  --work_queue_type=s|mstd|mstd:N|mstd:N,M
                             single-threaded (default) or N workers and up to
                             M blocking threads
  --host_allocator_type=malloc|test_fixed_size_1k|profiled_allocator|
                        leak_check_allocator (default)
  --print_error_code         print the status code with each error result
  --diagnostics=verify|print verify runtime errors against expected-error
                             annotations (default, as TFRT does), or print
                             each with its location without failing the run
  --enable_tracing           accepted for TFRT compatibility
  --tracing_level=default|verbose|debug
  --trace=out.json           write a Chrome/Perfetto trace: one slice per kernel
  --benchmark=N              run each function N times and print latency
                             percentiles instead of its results
  --plugin=path.so           load a device plugin (may repeat)
  --help, --version
)";

struct Flags {
  std::string input = "-";
  std::string work_queue = "s";
  std::string allocator = "leak_check_allocator";
  std::vector<std::string> functions;
  bool functions_given = false;
  std::string init_function;
  bool print_error_code = false;
  bool verify_diagnostics = true;
  std::string trace_file;
  int64_t benchmark_runs = 0;
  std::vector<std::string> plugins;
};

// Parses argv per §8.1. Returns an error message on a bad flag.
std::optional<std::string> ParseFlags(int argc, char** argv, Flags& flags,
                                      bool& help, bool& version) {
  bool have_input = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-" || arg.empty() || arg[0] != '-') {
      if (have_input) return absl::StrCat("more than one input: '", arg, "'");
      flags.input = arg;
      have_input = true;
      continue;
    }
    std::string name = arg.substr(arg[1] == '-' ? 2 : 1);
    std::optional<std::string> value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    auto boolean = [&](bool& out) -> std::optional<std::string> {
      if (!value || *value == "true" || *value == "1") {
        out = true;
      } else if (*value == "false" || *value == "0") {
        out = false;
      } else {
        return absl::StrCat("flag --", name, " takes no value");
      }
      return std::nullopt;
    };
    auto take = [&]() -> std::optional<std::string> {
      if (value) return value;
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    std::optional<std::string> error;
    bool dummy = false;
    if (name == "help" || name == "h") {
      help = true;
    } else if (name == "version") {
      version = true;
    } else if (name == "print_error_code") {
      error = boolean(flags.print_error_code);
    } else if (name == "enable_tracing") {
      error = boolean(dummy);
    } else {
      std::optional<std::string> v = take();
      if (!v) return absl::StrCat("flag --", name, " needs a value");
      if (name == "work_queue_type") {
        flags.work_queue = *v;
      } else if (name == "host_allocator_type") {
        flags.allocator = *v;
      } else if (name == "functions") {
        flags.functions_given = true;
        for (absl::string_view f : absl::StrSplit(*v, ',', absl::SkipEmpty()))
          flags.functions.emplace_back(f);
      } else if (name == "test_init_function") {
        flags.init_function = *v;
      } else if (name == "tracing_level") {
        if (*v != "default" && *v != "verbose" && *v != "debug")
          return absl::StrCat("bad --tracing_level '", *v,
                              "' (expected default, verbose or debug)");
      } else if (name == "diagnostics") {
        if (*v != "verify" && *v != "print")
          return absl::StrCat("bad --diagnostics '", *v,
                              "' (expected verify or print)");
        flags.verify_diagnostics = *v == "verify";
      } else if (name == "trace") {
        flags.trace_file = *v;
      } else if (name == "benchmark") {
        if (!absl::SimpleAtoi(*v, &flags.benchmark_runs) ||
            flags.benchmark_runs <= 0)
          return absl::StrCat("bad --benchmark '", *v,
                              "' (expected a positive count)");
      } else if (name == "plugin") {
        flags.plugins.push_back(*v);
      } else if (name == "shared_libs") {
        return "--shared_libs is not supported; load device plugins with "
               "--plugin=<path>";
      } else {
        return absl::StrCat("unknown flag '", arg, "'");
      }
    }
    if (error) return error;
  }
  return std::nullopt;
}

// ---- Tracing
// -----------------------------------------------------------------

// Collects kernel slices in per-thread buffers (the lock is taken once per
// thread, not per kernel) and writes them as Chrome trace-event JSON.
class JsonTracer : public KernelTracer {
 public:
  struct Event {
    const ErrorLocation* kernel;
    int64_t start_ns, end_ns;
  };
  struct Buffer {
    int tid;
    std::vector<Event> events;
  };

  void OnKernel(const ErrorLocation& kernel, int64_t start_ns,
                int64_t end_ns) override {
    thread_local Buffer* buffer = nullptr;
    thread_local const JsonTracer* owner = nullptr;
    if (owner != this) {
      std::lock_guard<std::mutex> lock(mu_);
      buffers_.push_back(std::make_unique<Buffer>());
      buffers_.back()->tid = static_cast<int>(buffers_.size());
      buffer = buffers_.back().get();
      owner = this;
    }
    buffer->events.push_back({&kernel, start_ns, end_ns});
  }

  size_t num_events() const {
    size_t n = 0;
    for (const auto& b : buffers_) n += b->events.size();
    return n;
  }

  bool Write(const std::string& path) const {
    std::ofstream out(path);
    if (!out) return false;
    int64_t origin = INT64_MAX;
    for (const auto& b : buffers_)
      for (const Event& e : b->events) origin = std::min(origin, e.start_ns);
    out << "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[";
    bool first = true;
    for (const auto& b : buffers_) {
      for (const Event& e : b->events) {
        out << (first ? "\n" : ",\n");
        first = false;
        out << absl::StrFormat(
            "{\"name\":\"%s\",\"cat\":\"kernel\",\"ph\":\"X\",\"pid\":1,"
            "\"tid\":%d,\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"location\":\"%s\","
            "\"function\":\"%s\"}}",
            Escape(e.kernel->kernel), b->tid, (e.start_ns - origin) / 1e3,
            (e.end_ns - e.start_ns) / 1e3, Escape(e.kernel->SourcePosition()),
            Escape(e.kernel->function));
      }
    }
    out << "\n]}\n";
    return static_cast<bool>(out);
  }

 private:
  static std::string Escape(absl::string_view s) {
    std::string out;
    for (char c : s) {
      if (c == '"' || c == '\\') {
        out.push_back('\\');
        out.push_back(c);
      } else if (static_cast<unsigned char>(c) < 0x20) {
        absl::StrAppendFormat(&out, "\\u%04x", c);
      } else {
        out.push_back(c);
      }
    }
    return out;
  }

  std::mutex mu_;
  std::vector<std::unique_ptr<Buffer>> buffers_;
};

// ---- Results
// -----------------------------------------------------------------

std::string FormatError(const AsyncValue& value, bool print_code) {
  const absl::Status& status = value.GetError();
  if (!print_code) return absl::StrCat("<<error: ", status.message(), ">>");
  return absl::StrCat("<<error: ", status.message(),
                      ", code: ", absl::StatusCodeToString(status.code()),
                      ">>");
}

std::string FormatValue(AsyncValue* value, absl::string_view type,
                        bool print_code) {
  if (value->IsError()) return FormatError(*value, print_code);
  if (type == "i1" && value->IsType<bool>())
    return value->get<bool>() ? "1" : "0";
  if (type == "i32" && value->IsType<int32_t>())
    return absl::StrCat(value->get<int32_t>());
  if (type == "i64" && value->IsType<int64_t>())
    return absl::StrCat(value->get<int64_t>());
  if (type == "f32" && value->IsType<float>())
    return absl::StrFormat("%e", value->get<float>());
  if (type == "f64" && value->IsType<double>())
    return absl::StrFormat("%e", value->get<double>());
  return absl::StrCat(type, " value");
}

// ---- The runner -------------------------------------------------------------

class Runner {
 public:
  Runner(std::string argv0, Flags flags)
      : argv0_(std::move(argv0)),
        flags_(std::move(flags)),
        verifier_(flags_.verify_diagnostics) {}

  int Run();

 private:
  absl::StatusOr<std::vector<uint8_t>> ReadInput();
  void RunFunction(const Function& fn);
  void Benchmark(const Function& fn);
  RCReference<RequestContext> NewRequest();

  std::string argv0_;
  Flags flags_;
  std::unique_ptr<HostContext> host_;
  CountingHostAllocator* counting_ = nullptr;
  DiagnosticVerifier verifier_;
  std::unique_ptr<BefProgram> program_;
  int64_t next_request_ = 0;
};

absl::StatusOr<std::vector<uint8_t>> Runner::ReadInput() {
  FILE* f =
      flags_.input == "-" ? stdin : std::fopen(flags_.input.c_str(), "rb");
  if (f == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        "cannot open input file '", flags_.input, "': ", std::strerror(errno)));
  }
  std::vector<uint8_t> bytes;
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0)
    bytes.insert(bytes.end(), buf, buf + n);
  const bool failed = std::ferror(f);
  if (f != stdin) std::fclose(f);
  if (failed) {
    return absl::DataLossError(
        absl::StrCat("cannot read input file '", flags_.input, "'"));
  }
  return bytes;
}

RCReference<RequestContext> Runner::NewRequest() {
  absl::StatusOr<RCReference<RequestContext>> request =
      RequestContextBuilder(host_.get(), nullptr, next_request_++).build();
  return *std::move(request);  // Only fails without a host.
}

void Runner::RunFunction(const Function& fn) {
  if (fn.num_arguments() != 0) {
    PrintAtomically(absl::StrCat("--- Not running '", fn.name(),
                                 "' because it has arguments.\n"));
    return;
  }
  if (fn.name().empty()) return;
  if (flags_.benchmark_runs > 0) {
    Benchmark(fn);
    return;
  }
  PrintAtomically(absl::StrCat("--- Running '", fn.name(), "':\n"));
  ExecutionContext ctx(NewRequest());
  CallResults results = ExecuteAndAwait(fn, ctx);
  if (fn.kind() == FunctionKind::kSync && !results.empty() &&
      results[0]->IsError()) {
    PrintAtomically(
        absl::StrCat("'", fn.name(), "' returned ",
                     FormatError(*results[0], flags_.print_error_code), "\n"));
  } else if (!results.empty()) {
    std::string line = absl::StrCat("'", fn.name(), "' returned ");
    for (size_t i = 0; i < results.size(); ++i) {
      if (i) line += ",";
      line += FormatValue(results[i].get(), fn.result_type(i),
                          flags_.print_error_code);
    }
    PrintAtomically(line + "\n");
  }
  results.clear();
  host_->Quiesce();
}

void Runner::Benchmark(const Function& fn) {
  std::vector<int64_t> wall;
  wall.reserve(flags_.benchmark_runs);
  for (int64_t i = 0; i <= flags_.benchmark_runs; ++i) {
    ExecutionContext ctx(NewRequest());
    const auto start = std::chrono::steady_clock::now();
    CallResults results = ExecuteAndAwait(fn, ctx);
    results.clear();
    host_->Quiesce();
    const auto end = std::chrono::steady_clock::now();
    // Run 0 warms caches and pools; it is not measured.
    if (i > 0) {
      wall.push_back(
          std::chrono::duration_cast<std::chrono::nanoseconds>(end - start)
              .count());
    }
  }
  std::sort(wall.begin(), wall.end());
  auto pct = [&](double p) {
    return wall[std::min(wall.size() - 1,
                         static_cast<size_t>(wall.size() * p))];
  };
  PrintAtomically(absl::StrFormat(
      "--- Benchmark '%s': %d runs, latency (ns): min %d, p50 %d, p90 %d, "
      "p99 %d, max %d\n",
      fn.name(), wall.size(), wall.front(), pct(0.50), pct(0.90), pct(0.99),
      wall.back()));
}

int Runner::Run() {
  // §8.3 step 1: the allocator.
  std::unique_ptr<HostAllocator> allocator;
  if (flags_.allocator == "malloc") {
    PrintAtomically("Choosing malloc.\n");
    allocator = CreateMallocAllocator();
  } else if (flags_.allocator == "test_fixed_size_1k") {
    PrintAtomically("Choosing fixed size malloc.\n");
    allocator = CreateFixedSizeAllocator(1024);
  } else if (flags_.allocator == "profiled_allocator") {
    PrintAtomically("Choosing profiled allocator based on malloc.\n");
    auto counting = CreateProfiledAllocator(CreateMallocAllocator());
    counting_ = counting.get();
    allocator = std::move(counting);
  } else if (flags_.allocator == "leak_check_allocator") {
    PrintAtomically("Choosing memory leak check allocator.\n");
    auto counting = CreateLeakCheckAllocator(CreateMallocAllocator());
    counting_ = counting.get();
    allocator = std::move(counting);
  } else {
    std::cerr << argv0_ << ": couldn't create host allocator type "
              << flags_.allocator << std::endl;
    return 1;
  }
  // Step 2: the work queue.
  absl::StatusOr<std::unique_ptr<ConcurrentWorkQueue>> queue =
      CreateWorkQueue(flags_.work_queue);
  if (!queue.ok()) {
    std::cerr << argv0_ << ": couldn't create work queue type "
              << flags_.work_queue << std::endl;
    return 1;
  }
  PrintAtomically(
      absl::StrCat("Choosing ", (*queue)->name(), " work queue.\n"));
  host_ =
      std::make_unique<HostContext>(std::move(allocator), *std::move(queue));
  absl::Status registered = RegisterStaticKernels(&host_->registry());
  if (!registered.ok()) {
    std::cerr << argv0_ << ": " << registered.message() << std::endl;
    return 1;
  }
  host_->set_diagnostic_handler([this](const AsyncValueError& error) {
    verifier_.Report(error, /*runtime=*/true);
  });
  for (const std::string& plugin : flags_.plugins) {
    if (access(plugin.c_str(), R_OK) != 0) {
      std::cerr << argv0_ << ": cannot open plugin '" << plugin
                << "': " << std::strerror(errno) << std::endl;
      return 1;
    }
  }

  // Step 3: load and verify.
  absl::StatusOr<std::vector<uint8_t>> bytes = ReadInput();
  if (!bytes.ok()) {
    std::cerr << bytes.status().message() << std::endl;
    return 1;
  }
  bool load_failed = false;
  absl::StatusOr<std::unique_ptr<bef::BefFile>> file =
      bef::BefFile::FromCopy(*bytes);
  if (!file.ok()) {
    verifier_.Report(
        AsyncValueError{absl::InvalidArgumentError(absl::StrCat(
                            "invalid executable '",
                            flags_.input == "-" ? "<stdin>" : flags_.input,
                            "': ", file.status().message())),
                        std::nullopt},
        /*runtime=*/false);
    load_failed = true;
  } else {
    bool located = false;
    LoadOptions options;
    options.on_error = [&](const AsyncValueError& error) {
      located = true;
      verifier_.Report(error, /*runtime=*/false);
    };
    absl::StatusOr<std::unique_ptr<BefProgram>> program =
        BefProgram::Load(*std::move(file), host_.get(), std::move(options));
    if (!program.ok()) {
      if (!located) {
        verifier_.Report(AsyncValueError{program.status(), std::nullopt},
                         /*runtime=*/false);
      }
      load_failed = true;
    } else {
      program_ = *std::move(program);
    }
  }

  JsonTracer tracer;
  if (!load_failed) {
    if (!flags_.trace_file.empty()) program_->set_tracer(&tracer);
    // Step 4: the functions to run.
    std::vector<const Function*> to_run;
    if (flags_.functions_given) {
      for (const std::string& name : flags_.functions) {
        const Function* fn = program_->GetFunction(name);
        if (fn == nullptr) {
          std::cerr << argv0_ << ": couldn't find function " << name
                    << std::endl;
          return 1;
        }
        to_run.push_back(fn);
      }
    } else {
      for (size_t i = 0; i < program_->num_functions(); ++i)
        to_run.push_back(program_->function(i));
    }
    // Step 5-6.
    const Function* init = flags_.init_function.empty()
                               ? nullptr
                               : program_->GetFunction(flags_.init_function);
    if (init != nullptr) RunFunction(*init);
    for (const Function* fn : to_run) {
      if (fn != init) RunFunction(*fn);
    }
    host_->Quiesce();
  }

  // Step 7.
  const bool verified = verifier_.Finish();
  int status = verified ? 0 : 1;
  if (!flags_.trace_file.empty() && !load_failed) {
    program_->set_tracer(nullptr);
    if (!tracer.Write(flags_.trace_file)) {
      std::cerr << argv0_ << ": cannot write trace file '" << flags_.trace_file
                << "'" << std::endl;
      status = 1;
    }
  }
  program_.reset();
  if (counting_ != nullptr) {
    AllocatorExitReport report = counting_->ExitReport();
    if (!report.text.empty()) PrintAtomically(report.text);
    if (report.leaked) status = 1;
  }
  host_.reset();
  return status;
}

}  // namespace
}  // namespace rill

int main(int argc, char** argv) {
  rill::Flags flags;
  bool help = false, version = false;
  if (std::optional<std::string> error =
          rill::ParseFlags(argc, argv, flags, help, version)) {
    std::cerr << argv[0] << ": " << *error << " (see --help)" << std::endl;
    return 1;
  }
  if (help) {
    std::cout << rill::kHelp;
    return 0;
  }
  if (version) {
    std::cout << rill::kVersion << std::endl;
    return 0;
  }
  return rill::Runner(argv[0], std::move(flags)).Run();
}
