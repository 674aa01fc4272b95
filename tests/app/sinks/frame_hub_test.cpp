// FrameHub and SinkPort: latest-wins and queued ports, every-K selection, the bounded pool, one
// shared buffer for every port, closing, and many takers while the render thread publishes.
#include "app/sinks/frame_hub.hpp"

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace interleave::app {
namespace {

using std::chrono::milliseconds;

// Acquires, stamps and publishes one frame as the render loop does; false when the pool is dry.
bool publish_one(FrameHub& hub, std::uint64_t shown, int w = 8, int h = 4) {
    auto frame = hub.try_acquire(w, h);
    if (!frame) return false;
    std::memset(frame->pixels.data(), static_cast<int>(shown & 0xff), frame->pixels.size());
    frame->shown = shown;
    frame->index = static_cast<std::int64_t>(shown);
    hub.publish(std::move(frame));
    return true;
}

TEST(FrameHub, NothingIsWantedWithoutPortsOrWhenEveryPortSaysNo) {
    FrameHub hub;
    EXPECT_FALSE(hub.wanted(0));
    auto port = hub.attach("telnet", SinkPolicy::kLatest);
    EXPECT_TRUE(hub.wanted(0));
    port->set_wanted(false);  // no clients
    EXPECT_FALSE(hub.wanted(0));
    ASSERT_TRUE(publish_one(hub, 0));
    EXPECT_EQ(port->try_take(), nullptr);
    EXPECT_EQ(hub.stats().published, 0u);
    port->set_wanted(true);
    ASSERT_TRUE(publish_one(hub, 1));
    EXPECT_NE(port->try_take(), nullptr);
    EXPECT_EQ(hub.stats().published, 1u);
}

TEST(FrameHub, APortThatStartsWantingAsksOnceForTheFrameOnScreen) {
    FrameHub hub;
    auto live = hub.attach("telnet", SinkPolicy::kLatest);
    auto queue = hub.attach("record", SinkPolicy::kQueue, 4);
    EXPECT_FALSE(hub.take_refresh());  // wanted from the start: nothing to catch up
    live->set_wanted(false);
    EXPECT_FALSE(hub.take_refresh());
    live->set_wanted(true);   // a first client
    live->set_wanted(true);   // no change: no second request
    EXPECT_TRUE(hub.take_refresh());
    EXPECT_FALSE(hub.take_refresh());
    EXPECT_TRUE(hub.live_wanted());
    auto frame = hub.try_acquire(8, 4);
    ASSERT_NE(frame, nullptr);
    frame->refresh = true;
    hub.publish(std::move(frame));
    EXPECT_NE(live->try_take(), nullptr);
    EXPECT_EQ(queue->try_take(), nullptr);  // a queue never gets a frame twice
    live->set_wanted(false);
    EXPECT_FALSE(hub.live_wanted());
}

TEST(FrameHub, LatestPortKeepsTheNewestAndCountsWhatItSkipped) {
    FrameHub hub;
    auto port = hub.attach("terminal", SinkPolicy::kLatest);
    for (std::uint64_t i = 0; i < 5; ++i) ASSERT_TRUE(publish_one(hub, i));
    FrameRef f = port->try_take();
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->shown, 4u);
    EXPECT_EQ(f->sequence, 5u);
    EXPECT_EQ(f->pixels.data()[0], 4);
    EXPECT_EQ(port->try_take(), nullptr);  // nothing newer
    const SinkPortStats s = port->stats();
    EXPECT_EQ(s.offered, 5u);
    EXPECT_EQ(s.taken, 1u);
    EXPECT_EQ(s.skipped, 4u);
    EXPECT_EQ(port->latest(), f);
}

TEST(FrameHub, QueuePortKeepsOrderAndDropsWhenFull) {
    FrameHub hub;
    auto port = hub.attach("record", SinkPolicy::kQueue, 3);
    for (std::uint64_t i = 0; i < 5; ++i) ASSERT_TRUE(publish_one(hub, i));
    for (std::uint64_t i = 0; i < 3; ++i) {
        FrameRef f = port->try_take();
        ASSERT_NE(f, nullptr);
        EXPECT_EQ(f->shown, i);
    }
    EXPECT_EQ(port->try_take(), nullptr);
    EXPECT_EQ(port->stats().dropped, 2u);
    EXPECT_EQ(port->stats().skipped, 0u);
    // As good as new after the drops.
    ASSERT_TRUE(publish_one(hub, 5));
    FrameRef f = port->try_take();
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->shown, 5u);
}

TEST(FrameHub, EveryKthShownFrameOnly) {
    FrameHub hub;
    auto port = hub.attach("record", SinkPolicy::kQueue, 16, 3);
    std::vector<std::uint64_t> got;
    for (std::uint64_t i = 0; i < 10; ++i) {
        if (hub.wanted(i)) {
            ASSERT_TRUE(publish_one(hub, i));
        }
    }
    while (FrameRef f = port->try_take()) got.push_back(f->shown);
    EXPECT_EQ(got, (std::vector<std::uint64_t>{0, 3, 6, 9}));
}

TEST(FrameHub, EveryPortSharesOneBuffer) {
    FrameHub hub;
    auto a = hub.attach("terminal", SinkPolicy::kLatest);
    auto b = hub.attach("record", SinkPolicy::kQueue, 4);
    auto c = hub.attach("telnet", SinkPolicy::kLatest);
    ASSERT_TRUE(publish_one(hub, 0));
    FrameRef fa = a->try_take();
    FrameRef fb = b->try_take();
    FrameRef fc = c->try_take();
    ASSERT_NE(fa, nullptr);
    EXPECT_EQ(fa, fb);
    EXPECT_EQ(fa, fc);
    EXPECT_EQ(fa->pixels.data(), fc->pixels.data());
}

TEST(FrameHub, ThePoolBoundsMemoryAndRecoversWhenSinksLetGo) {
    FrameHub hub;
    auto port = hub.attach("record", SinkPolicy::kQueue, 2);
    const std::size_t cap = hub.stats().pool_buffers;
    // A sink that holds every frame it takes, and never lets go.
    std::vector<FrameRef> held;
    std::uint64_t shown = 0;
    std::size_t refused = 0;
    for (int i = 0; i < 40; ++i) {
        if (!publish_one(hub, shown++)) {
            ++refused;
            continue;
        }
        while (FrameRef f = port->try_take()) held.push_back(std::move(f));
    }
    EXPECT_GT(refused, 0u);
    EXPECT_LE(held.size(), cap);
    EXPECT_EQ(hub.stats().pool_exhausted, refused);
    EXPECT_LE(hub.stats().pool_bytes, cap * 8 * 4 * 4);
    held.clear();
    EXPECT_TRUE(publish_one(hub, shown++));  // buffers came back
}

TEST(FrameHub, CloseWakesAWaiterAndAQueueStillHandsOutWhatItHolds) {
    FrameHub hub;
    auto live = hub.attach("terminal", SinkPolicy::kLatest);
    auto queue = hub.attach("record", SinkPolicy::kQueue, 4);
    ASSERT_TRUE(publish_one(hub, 0));
    std::atomic<bool> woke{false};
    std::thread waiter([&] {
        FrameRef f = live->wait_take(milliseconds(10000));  // takes frame 0 at once
        // Ends by close(); a close that did not wake it would hang here until ctest's timeout.
        f = live->wait_take(milliseconds(24 * 3600 * 1000));
        woke = f == nullptr;
    });
    std::this_thread::sleep_for(milliseconds(20));
    hub.close_all();
    waiter.join();
    EXPECT_TRUE(woke);
    EXPECT_NE(queue->try_take(), nullptr);  // accepted before the close: still written
    EXPECT_EQ(queue->try_take(), nullptr);
    EXPECT_FALSE(hub.wanted(1));
    ASSERT_TRUE(publish_one(hub, 1));  // refused by closed ports, not an error
    EXPECT_EQ(queue->try_take(), nullptr);
}

// The render thread publishes while three sinks take at their own pace; counts add up and
// nothing deadlocks (this also runs under TSan).
TEST(FrameHub, ManyTakersWhileOneThreadPublishes) {
    FrameHub hub;
    std::vector<std::shared_ptr<SinkPort>> ports{
        hub.attach("a", SinkPolicy::kLatest), hub.attach("b", SinkPolicy::kLatest),
        hub.attach("c", SinkPolicy::kQueue, 4)};
    std::vector<std::thread> takers;
    std::vector<std::uint64_t> taken(ports.size(), 0);
    for (std::size_t i = 0; i < ports.size(); ++i) {
        takers.emplace_back([&, i] {
            std::uint64_t last = 0;
            while (FrameRef f = ports[i]->wait_take(milliseconds(2000))) {
                EXPECT_GT(f->sequence, last);  // never an older frame after a newer one
                last = f->sequence;
                ++taken[i];
                if (i == 1) std::this_thread::sleep_for(std::chrono::microseconds(200));
            }
        });
    }
    std::uint64_t published = 0;
    for (std::uint64_t shown = 0; shown < 5000; ++shown) {
        if (hub.wanted(shown) && publish_one(hub, shown, 64, 32)) ++published;
    }
    hub.close_all();
    for (auto& t : takers) t.join();
    for (std::size_t i = 0; i < ports.size(); ++i) {
        const SinkPortStats s = ports[i]->stats();
        EXPECT_EQ(s.taken, taken[i]);
        EXPECT_LE(s.taken + s.skipped + s.dropped, s.offered);
        EXPECT_GE(s.taken + s.skipped + s.dropped + 4, s.offered);  // at most what was pending
    }
    EXPECT_EQ(hub.stats().published, published);
    EXPECT_EQ(hub.stats().published + hub.stats().pool_exhausted, 5000u);
}

}  // namespace
}  // namespace interleave::app
