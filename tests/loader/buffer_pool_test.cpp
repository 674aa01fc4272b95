// Tests loader/buffer_pool.cpp: reuse without allocating, the cap, high-water mark, waiting
// with timeouts, shutdown, and handles that outlive their pool.
#include "loader/buffer_pool.hpp"

#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace interleave::loader {
namespace {

using namespace std::chrono_literals;

// Polls the pool until `count` acquires are blocked in it; false after 10 s (a hang).
bool wait_for_waiters(const BufferPool& pool, std::size_t count) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (pool.stats().waiting != count) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

PooledBuffer acquire(BufferPool& pool, std::size_t bytes) {
    auto buffer = pool.wait_acquire(bytes, 1s);
    EXPECT_TRUE(buffer.has_value());
    return buffer ? std::move(*buffer) : PooledBuffer{};
}

TEST(BufferPool, BuffersAreAllocatedLazilyAndAligned) {
    BufferPool pool(4);
    EXPECT_EQ(pool.stats().live_buffers, 0u);
    EXPECT_EQ(pool.stats().max_buffers, 4u);
    PooledBuffer a = acquire(pool, 1000);
    ASSERT_TRUE(a);
    EXPECT_EQ(a.size(), 1000u);
    EXPECT_GE(a.capacity(), 1000u);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a.data()) % 64, 0u);
    EXPECT_EQ(a.bytes().size(), 1000u);
    std::memset(a.data(), 0xAB, a.size());  // the whole size is writable
    const auto s = pool.stats();
    EXPECT_EQ(s.live_buffers, 1u);
    EXPECT_EQ(s.in_use, 1u);
    EXPECT_EQ(s.allocations, 1u);
    EXPECT_EQ(s.bytes, 1000u);
}

TEST(BufferPool, SteadyStateReusesInsteadOfAllocating) {
    BufferPool pool(4);
    for (int round = 0; round < 100; ++round) {
        PooledBuffer main = acquire(pool, 4096);
        PooledBuffer overlay = acquire(pool, 4096);
        ASSERT_TRUE(main && overlay);
    }
    const auto s = pool.stats();
    EXPECT_EQ(s.allocations, 2u);
    EXPECT_EQ(s.live_buffers, 2u);
    EXPECT_EQ(s.reuses, 198u);
    EXPECT_EQ(s.in_use, 0u);
}

TEST(BufferPool, SmallerRequestsReuseLargerBuffers) {
    BufferPool pool(2);
    { PooledBuffer big = acquire(pool, 10000); }
    PooledBuffer small = acquire(pool, 100);
    EXPECT_EQ(small.size(), 100u);
    EXPECT_EQ(small.capacity(), 10000u);
    EXPECT_EQ(pool.stats().allocations, 1u);
}

TEST(BufferPool, PicksTheSmallestFreeBufferThatFits) {
    BufferPool pool(3);
    {
        PooledBuffer a = acquire(pool, 100);
        PooledBuffer b = acquire(pool, 5000);
        PooledBuffer c = acquire(pool, 1000);
    }
    PooledBuffer fit = acquire(pool, 800);
    EXPECT_EQ(fit.capacity(), 1000u);
}

TEST(BufferPool, TooSmallFreeBufferIsGrownNotAddedTo) {
    BufferPool pool(1);
    { PooledBuffer small = acquire(pool, 100); }
    PooledBuffer big = acquire(pool, 5000);
    ASSERT_TRUE(big);
    EXPECT_GE(big.capacity(), 5000u);
    const auto s = pool.stats();
    EXPECT_EQ(s.live_buffers, 1u);
    EXPECT_EQ(s.allocations, 2u);
    EXPECT_EQ(s.bytes, 5000u);
}

TEST(BufferPool, HighWaterMarkRemembersTheMostHandedOutAtOnce) {
    BufferPool pool(8);
    {
        PooledBuffer a = acquire(pool, 64);
        PooledBuffer b = acquire(pool, 64);
        PooledBuffer c = acquire(pool, 64);
        EXPECT_EQ(pool.stats().in_use, 3u);
    }
    PooledBuffer d = acquire(pool, 64);
    const auto s = pool.stats();
    EXPECT_EQ(s.in_use, 1u);
    EXPECT_EQ(s.high_water, 3u);
}

TEST(BufferPool, WaitAcquireTimesOutWhenEveryBufferIsOut) {
    BufferPool pool(2);
    PooledBuffer a = acquire(pool, 64);
    PooledBuffer b = acquire(pool, 64);
    const auto none = pool.wait_acquire(64, 20ms);
    EXPECT_FALSE(none.has_value());
    const auto s = pool.stats();
    EXPECT_EQ(s.wait_timeouts, 1u);
    EXPECT_EQ(s.live_buffers, 2u);
    EXPECT_EQ(s.in_use, 2u);
}

TEST(BufferPool, ZeroTimeoutNeverWaits) {
    BufferPool pool(1);
    PooledBuffer a = acquire(pool, 64);
    EXPECT_FALSE(pool.wait_acquire(64, 0ms).has_value());
    a.reset();
    EXPECT_TRUE(pool.wait_acquire(64, 0ms).has_value());
}

TEST(BufferPool, WaiterGetsTheBufferAnotherThreadReturns) {
    BufferPool pool(1);
    PooledBuffer held = acquire(pool, 256);
    std::optional<PooledBuffer> got;
    std::thread waiter([&] { got = pool.wait_acquire(256, 10s); });
    const bool blocked = wait_for_waiters(pool, 1);
    held.reset();
    waiter.join();
    ASSERT_TRUE(blocked) << "the waiter never blocked";
    ASSERT_TRUE(got.has_value());
    EXPECT_TRUE(*got);
    EXPECT_EQ(pool.stats().allocations, 1u);
    EXPECT_EQ(pool.stats().waiting, 0u);
}

TEST(BufferPool, WaitingCountsOnlyAcquiresBlockedNow) {
    BufferPool pool(1);
    PooledBuffer held = acquire(pool, 64);
    EXPECT_FALSE(pool.wait_acquire(64, 0ms).has_value());
    EXPECT_EQ(pool.stats().waiting, 0u) << "a zero timeout never waits";
    EXPECT_FALSE(pool.wait_acquire(64, 1ms).has_value());
    EXPECT_EQ(pool.stats().waiting, 0u) << "a timed-out waiter is gone";
    EXPECT_EQ(pool.stats().wait_timeouts, 2u);
    std::vector<std::thread> waiters;
    std::atomic<int> served{0};
    for (int i = 0; i < 2; ++i) {
        waiters.emplace_back([&] {
            auto buffer = pool.wait_acquire(64, 10s);
            if (buffer) served.fetch_add(1);  // and returns it at once, for the next waiter
        });
    }
    const bool both_blocked = wait_for_waiters(pool, 2);
    EXPECT_TRUE(both_blocked) << "waiting is " << pool.stats().waiting;
    held.reset();
    for (auto& w : waiters) w.join();
    EXPECT_EQ(served.load(), 2);
    EXPECT_EQ(pool.stats().waiting, 0u);
}

TEST(BufferPool, ShutdownWakesWaitersAndLaterAcquiresFail) {
    BufferPool pool(1);
    PooledBuffer held = acquire(pool, 256);
    std::atomic<int> woken{0};
    std::vector<std::thread> waiters;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 3; ++i) {
        waiters.emplace_back([&] {
            if (!pool.wait_acquire(256, 30s).has_value()) woken.fetch_add(1);
        });
    }
    const bool all_blocked = wait_for_waiters(pool, 3);
    pool.shutdown();
    for (auto& w : waiters) w.join();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "shutdown did not wake waiters";
    ASSERT_TRUE(all_blocked) << "the waiters never blocked";
    EXPECT_EQ(woken.load(), 3);
    EXPECT_EQ(pool.stats().waiting, 0u);
    EXPECT_FALSE(pool.wait_acquire(256, 0ms).has_value());
    // Outstanding buffers still come back after shutdown.
    held.reset();
    EXPECT_EQ(pool.stats().in_use, 0u);
    EXPECT_EQ(pool.stats().wait_timeouts, 0u) << "shutdown is not a timeout";
}

TEST(BufferPool, BufferMayOutliveItsPool) {
    auto pool = std::make_unique<BufferPool>(2);
    PooledBuffer buffer = acquire(*pool, 4096);
    ASSERT_TRUE(buffer);
    pool.reset();
    std::memset(buffer.data(), 0x5A, buffer.size());  // still valid memory
    EXPECT_EQ(buffer.data()[4095], 0x5A);
    buffer.reset();  // returns to the pool's surviving state, then that state is freed
    EXPECT_FALSE(buffer);
}

TEST(PooledBuffer, MoveTransfersOwnershipAndReturnsOnce) {
    BufferPool pool(2);
    PooledBuffer a = acquire(pool, 128);
    std::uint8_t* data = a.data();
    PooledBuffer b = std::move(a);
    EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): a moved-from handle is empty
    EXPECT_EQ(b.data(), data);
    PooledBuffer c = acquire(pool, 128);
    c = std::move(b);  // c's own buffer goes back, it takes b's
    EXPECT_EQ(c.data(), data);
    EXPECT_EQ(pool.stats().in_use, 1u);
    c.reset();
    c.reset();  // twice is harmless
    EXPECT_EQ(pool.stats().in_use, 0u);
    PooledBuffer empty;
    EXPECT_FALSE(empty);
    EXPECT_EQ(empty.size(), 0u);
}

TEST(BufferPool, BuffersForFifoCountTwoLayersPerPairHeldOrDecoding) {
    EXPECT_EQ(BufferPool::buffers_for_fifo(15, 3), 2u * (15 + 3 + 2));
    EXPECT_EQ(BufferPool::buffers_for_fifo(2, 1, 0), 6u);
}

TEST(BufferPool, ManyThreadsNeverExceedTheCapAndReturnEverything) {
    constexpr std::size_t kMax = 4;
    BufferPool pool(kMax);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 300; ++i) {
                auto buffer = pool.wait_acquire(256 + 64 * ((t + i) % 4), 10s);
                if (!buffer) {
                    failures.fetch_add(1);
                    continue;
                }
                buffer->data()[0] = static_cast<std::uint8_t>(t);
                if (pool.stats().in_use > kMax) failures.fetch_add(1);
            }
        });
    }
    for (auto& t : threads) t.join();
    const auto s = pool.stats();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_LE(s.live_buffers, kMax);
    EXPECT_LE(s.high_water, kMax);
    EXPECT_EQ(s.in_use, 0u);
    // Every acquire is served either from the free list or by an allocation (new or grown).
    EXPECT_EQ(s.reuses + s.allocations, 8u * 300u);
}

}  // namespace
}  // namespace interleave::loader

namespace interleave::loader {
namespace {

TEST(BufferPool, ReserveAllocatesUpFrontUpToTheCapAndAcquiresThenReuse) {
    BufferPool pool(4);
    EXPECT_EQ(pool.reserve(10, 4096), 4u) << "never beyond max_buffers";
    const BufferPoolStats before = pool.stats();
    EXPECT_EQ(before.live_buffers, 4u);
    EXPECT_EQ(before.allocations, 4u);
    EXPECT_EQ(before.bytes, 4u * 4096u);
    EXPECT_EQ(before.in_use, 0u);
    std::vector<PooledBuffer> held;
    for (int i = 0; i < 4; ++i) {
        auto b = pool.wait_acquire(4000, std::chrono::milliseconds(10));
        ASSERT_TRUE(b.has_value());
        EXPECT_EQ(b->data()[0], 0) << "reserved memory is zeroed (touched)";
        held.push_back(std::move(*b));
    }
    EXPECT_EQ(pool.stats().allocations, 4u) << "acquires after reserve allocate nothing";
    EXPECT_EQ(pool.stats().reuses, 4u);
    EXPECT_EQ(pool.reserve(4, 4096), 4u) << "reserving again adds nothing";
}

}  // namespace
}  // namespace interleave::loader
