// Declares bounded spinning helpers and a thin Linux futex wrapper used by the
// work queues.
//
// Thread-safety: stateless functions; the futex calls operate on caller-owned
// atomics and may be called from any thread.

#ifndef RILL_HOST_RUNTIME_INTERNAL_SPIN_H_
#define RILL_HOST_RUNTIME_INTERNAL_SPIN_H_

#include <atomic>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace rill {
namespace internal {

// Tells the core we are spinning (x86 PAUSE: ~40 cycles on Zen, yields the
// pipeline to a sibling).
inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Spin budget before blocking: ~4000 PAUSEs are tens of microseconds, longer
// than a cross-thread handoff (~0.1-0.3 us) but far shorter than a futex
// sleep/wake round trip on a VM (~44 us), so a waiter that is about to be
// satisfied never pays for a wake-up.
inline constexpr int kSpinIterations = 4000;

// Spins up to `iterations` times until `done()` returns true. Returns whether
// it did.
template <typename Predicate>
bool SpinUntil(Predicate&& done, int iterations = kSpinIterations) {
  for (int i = 0; i < iterations; ++i) {
    if (done()) return true;
    CpuRelax();
  }
  return done();
}

#if defined(__SANITIZE_THREAD__)
#define RILL_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RILL_TSAN 1
#endif
#endif

#ifdef RILL_TSAN
extern std::atomic<uint32_t> tsan_fence_word;
#endif

// A full (store-load) fence for the Dekker handshakes between a submitter and a
// parking thread: each side stores, fences, then loads what the other side
// stored. ThreadSanitizer does not model standalone fences, so under TSan the
// fence is a seq_cst read-modify-write of one shared word, which gives the same
// guarantee (the two RMWs are ordered, and the later one acquires the earlier
// one's release) in a form TSan understands. Elsewhere a fence avoids a shared
// cache line.
inline void StoreLoadFence() {
#ifdef RILL_TSAN
  tsan_fence_word.fetch_add(0, std::memory_order_seq_cst);
#else
  std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
}

// Sleeps while `*word == expected` (spurious wake-ups are possible; callers
// loop).
void FutexWait(std::atomic<uint32_t>* word, uint32_t expected);
// Wakes up to `count` threads sleeping in FutexWait on `word`.
void FutexWake(std::atomic<uint32_t>* word, int count);

}  // namespace internal
}  // namespace rill

#endif  // RILL_HOST_RUNTIME_INTERNAL_SPIN_H_
