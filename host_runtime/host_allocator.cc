#include "host_runtime/host_allocator.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "host_runtime/logging.h"

namespace rill {
namespace {

class MallocAllocator final : public HostAllocator {
 public:
  void* AllocateBytes(size_t size, size_t alignment) override {
    if (alignment == 0 || (alignment & (alignment - 1)) != 0) return nullptr;
    alignment = std::max(alignment, sizeof(void*));
    void* ptr = nullptr;
    if (posix_memalign(&ptr, alignment, std::max<size_t>(size, 1)) != 0)
      return nullptr;
    return ptr;
  }
  void DeallocateBytes(void* ptr, size_t /*size*/) override { std::free(ptr); }
};

// Requests this small are served without accounting, as TFRT's fixed-size test
// allocator does.
constexpr size_t kUnaccountedSize = 32;

class FixedSizeAllocator final : public HostAllocator {
 public:
  explicit FixedSizeAllocator(size_t capacity) : available_(capacity) {}

  void* AllocateBytes(size_t size, size_t alignment) override {
    if (size > kUnaccountedSize) {
      // relaxed: the counter guards a budget, not memory contents; the CAS
      // keeps it exact.
      size_t available = available_.load(std::memory_order_relaxed);
      do {
        if (size > available) {
          RILL_LOG(ERROR, "Attempted to allocate ", size,
                   " bytes. However current capacity is only ", available, ".");
          return nullptr;
        }
      } while (!available_.compare_exchange_weak(available, available - size,
                                                 std::memory_order_relaxed));
      RILL_LOG(INFO, "Allocating ", size, " bytes. ", available - size,
               " remaining.");
    }
    void* ptr = malloc_.AllocateBytes(size, alignment);
    if (ptr == nullptr && size > kUnaccountedSize) {
      available_.fetch_add(size, std::memory_order_relaxed);
    }
    return ptr;
  }

  void DeallocateBytes(void* ptr, size_t size) override {
    malloc_.DeallocateBytes(ptr, size);
    if (size > kUnaccountedSize) {
      const size_t now =
          available_.fetch_add(size, std::memory_order_relaxed) + size;
      RILL_LOG(INFO, "Freeing ", size, " bytes. ", now, " available.");
    }
  }

 private:
  MallocAllocator malloc_;
  std::atomic<size_t> available_;
};

class CountingAllocator final : public CountingHostAllocator {
 public:
  CountingAllocator(std::unique_ptr<HostAllocator> base, bool leak_check)
      : base_(std::move(base)), leak_check_(leak_check) {}

  AllocatorExitReport ExitReport() const override {
    const HostAllocatorStats s = stats();
    AllocatorExitReport report;
    if (!leak_check_) {
      report.text = FormatAllocatorProfile(s);
    } else if (absl::Status leaks = CheckNoLeaks(*this); !leaks.ok()) {
      report.text =
          absl::StrCat(FormatAllocatorProfile(s), leaks.message(), "\n");
      report.leaked = true;
    }
    return report;
  }

  void* AllocateBytes(size_t size, size_t alignment) override {
    void* ptr = base_->AllocateBytes(size, alignment);
    if (ptr == nullptr) return nullptr;
    // relaxed everywhere: these are statistics; no memory is published through
    // them.
    const int64_t allocations =
        current_allocations_.fetch_add(1, std::memory_order_relaxed) + 1;
    const int64_t bytes = current_bytes_.fetch_add(static_cast<int64_t>(size),
                                                   std::memory_order_relaxed) +
                          size;
    total_allocations_.fetch_add(1, std::memory_order_relaxed);
    RaiseTo(max_allocations_, allocations);
    RaiseTo(max_bytes_, bytes);
    return ptr;
  }

  void DeallocateBytes(void* ptr, size_t size) override {
    if (ptr == nullptr) return;
    base_->DeallocateBytes(ptr, size);
    current_allocations_.fetch_sub(1, std::memory_order_relaxed);
    current_bytes_.fetch_sub(static_cast<int64_t>(size),
                             std::memory_order_relaxed);
  }

  HostAllocatorStats stats() const override {
    HostAllocatorStats s;
    s.current_allocations =
        current_allocations_.load(std::memory_order_relaxed);
    s.max_allocations = max_allocations_.load(std::memory_order_relaxed);
    s.total_allocations = total_allocations_.load(std::memory_order_relaxed);
    s.current_bytes = current_bytes_.load(std::memory_order_relaxed);
    s.max_bytes = max_bytes_.load(std::memory_order_relaxed);
    return s;
  }

 private:
  static void RaiseTo(std::atomic<int64_t>& max, int64_t value) {
    int64_t seen = max.load(std::memory_order_relaxed);
    while (value > seen &&
           !max.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
    }
  }

  std::unique_ptr<HostAllocator> base_;
  const bool leak_check_;
  std::atomic<int64_t> current_allocations_{0};
  std::atomic<int64_t> max_allocations_{0};
  std::atomic<int64_t> total_allocations_{0};
  std::atomic<int64_t> current_bytes_{0};
  std::atomic<int64_t> max_bytes_{0};
};

}  // namespace

std::string FormatAllocatorProfile(const HostAllocatorStats& s) {
  return absl::StrCat(
      "HostAllocator profile:\n",
      "Current number of allocations = ", s.current_allocations, "\n",
      "Max number of allocations = ", s.max_allocations, "\n",
      "Total number of allocations = ", s.total_allocations, "\n",
      "Current number of bytes allocated = ", s.current_bytes, "\n",
      "Max number of bytes allocated = ", s.max_bytes, "\n");
}

std::unique_ptr<HostAllocator> CreateMallocAllocator() {
  return std::make_unique<MallocAllocator>();
}

std::unique_ptr<HostAllocator> CreateFixedSizeAllocator(size_t capacity) {
  return std::make_unique<FixedSizeAllocator>(capacity);
}

std::unique_ptr<CountingHostAllocator> CreateProfiledAllocator(
    std::unique_ptr<HostAllocator> base) {
  return std::make_unique<CountingAllocator>(std::move(base),
                                             /*leak_check=*/false);
}

std::unique_ptr<CountingHostAllocator> CreateLeakCheckAllocator(
    std::unique_ptr<HostAllocator> base) {
  return std::make_unique<CountingAllocator>(std::move(base),
                                             /*leak_check=*/true);
}

absl::Status CheckNoLeaks(const CountingHostAllocator& allocator) {
  const HostAllocatorStats s = allocator.stats();
  if (s.current_bytes == 0 && s.current_allocations == 0)
    return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("Memory leak detected: ", s.current_allocations,
                   " alive allocations, ", s.current_bytes, " alive bytes"));
}

absl::StatusOr<std::unique_ptr<HostAllocator>> CreateHostAllocator(
    absl::string_view type) {
  if (type == "malloc") return CreateMallocAllocator();
  if (type == "test_fixed_size_1k") return CreateFixedSizeAllocator(1024);
  if (type == "profiled_allocator")
    return CreateProfiledAllocator(CreateMallocAllocator());
  if (type == "leak_check_allocator")
    return CreateLeakCheckAllocator(CreateMallocAllocator());
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown host allocator type '", type,
      "' (expected malloc, test_fixed_size_1k, profiled_allocator or "
      "leak_check_allocator)"));
}

}  // namespace rill
