// Declares `HostAllocator`, the pluggable allocator for host memory that
// kernels and tensors request (spec §7.2), and its implementations:
//   malloc                 CreateMallocAllocator()
//   test_fixed_size_1k     CreateFixedSizeAllocator(1024): a capacity-limited
//   allocator for tests
//                          that fails cleanly (returns null) and logs each
//                          large request
//   profiled_allocator     CreateProfiledAllocator(base): counts allocations
//   and bytes leak_check_allocator   CreateLeakCheckAllocator(base): counts,
//   and reports what is still alive
// Async values and executor bookkeeping do not go through this allocator.
//
// Thread-safety: every implementation may be called concurrently from any
// thread; counters are atomics (lock-free).

#ifndef RILL_HOST_RUNTIME_HOST_ALLOCATOR_H_
#define RILL_HOST_RUNTIME_HOST_ALLOCATOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace rill {

class HostAllocator {
 public:
  virtual ~HostAllocator() = default;

  // Returns `size` bytes aligned to `alignment` (a power of two), or null if
  // the allocator cannot serve the request. Callers turn null into an error
  // value; they never crash on it.
  virtual void* AllocateBytes(size_t size, size_t alignment) = 0;
  // Frees memory from AllocateBytes; `size` must be the size that was requested
  // (sized free).
  virtual void DeallocateBytes(void* ptr, size_t size) = 0;

  // Typed helpers: uninitialized storage for `count` objects of type T.
  template <typename T>
  T* Allocate(size_t count = 1) {
    return static_cast<T*>(AllocateBytes(sizeof(T) * count, alignof(T)));
  }
  template <typename T>
  void Deallocate(T* ptr, size_t count = 1) {
    DeallocateBytes(ptr, sizeof(T) * count);
  }
};

// Counters kept by the profiled and leak-check allocators.
struct HostAllocatorStats {
  int64_t current_allocations = 0;
  int64_t max_allocations = 0;
  int64_t total_allocations = 0;
  int64_t current_bytes = 0;
  int64_t max_bytes = 0;
};

// The profile block of spec §7.2 ("HostAllocator profile:" and five lines),
// newline-terminated.
std::string FormatAllocatorProfile(const HostAllocatorStats& stats);

// What a counting allocator reports when the process is about to exit (spec
// §7.2).
struct AllocatorExitReport {
  std::string text;  // To print on stdout (possibly empty).
  bool leaked =
      false;  // The leak-check allocator found live allocations: exit status 1.
};

// An allocator that decorates another with counters.
class CountingHostAllocator : public HostAllocator {
 public:
  virtual HostAllocatorStats stats() const = 0;
  // The profiled allocator always reports its profile; the leak-check allocator
  // reports nothing unless something is still allocated, then the profile and
  // "Memory leak detected: ...".
  virtual AllocatorExitReport ExitReport() const = 0;
};

std::unique_ptr<HostAllocator> CreateMallocAllocator();

// Serves at most `capacity` bytes in total. Requests of at most 32 bytes bypass
// the accounting and are not logged; larger ones log "Allocating <n> bytes. <r>
// remaining." or, when they do not fit, "Attempted to allocate <n> bytes.
// However current capacity is only <r>." and return null.
std::unique_ptr<HostAllocator> CreateFixedSizeAllocator(size_t capacity = 1024);

std::unique_ptr<CountingHostAllocator> CreateProfiledAllocator(
    std::unique_ptr<HostAllocator> base);
std::unique_ptr<CountingHostAllocator> CreateLeakCheckAllocator(
    std::unique_ptr<HostAllocator> base);

// OK if nothing allocated through `allocator` is alive; otherwise a
// FailedPrecondition error whose message is "Memory leak detected: <n> alive
// allocations, <b> alive bytes".
absl::Status CheckNoLeaks(const CountingHostAllocator& allocator);

// Creates an allocator from the runner's `--host_allocator_type` value:
// "malloc", "test_fixed_size_1k", "profiled_allocator" or
// "leak_check_allocator". Anything else is an InvalidArgument error naming the
// accepted values.
absl::StatusOr<std::unique_ptr<HostAllocator>> CreateHostAllocator(
    absl::string_view type);

}  // namespace rill

#endif  // RILL_HOST_RUNTIME_HOST_ALLOCATOR_H_
