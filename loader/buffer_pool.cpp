// BufferPool: a capped free list of aligned byte buffers.
#include "loader/buffer_pool.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <new>
#include <utility>

namespace interleave::loader {

namespace {
constexpr std::align_val_t kAlignment{64};

struct Block {
    std::uint8_t* data = nullptr;
    std::size_t capacity = 0;
};

std::uint8_t* allocate(std::size_t bytes) {
    return static_cast<std::uint8_t*>(::operator new[](bytes, kAlignment, std::nothrow));
}
void release(std::uint8_t* data) { ::operator delete[](data, kAlignment); }
}  // namespace

struct PooledBuffer::State {
    // --- immutable after construction
    const std::size_t max_buffers;
    // --- guarded by mutex (leaf lock: never call out while holding it)
    mutable std::mutex mutex;
    std::condition_variable returned;
    std::vector<Block> free;       // capacity reserved for max_buffers: pushing never allocates
    bool shut_down = false;
    BufferPoolStats stats;

    explicit State(std::size_t max) : max_buffers(max) {
        free.reserve(max);
        stats.max_buffers = max;
    }
    ~State() {
        for (Block& b : free) release(b.data);
    }

    void give_back(std::uint8_t* data, std::size_t capacity) {
        {
            std::lock_guard lock(mutex);
            assert(stats.in_use > 0 && "buffer returned twice");
            --stats.in_use;
            free.push_back(Block{data, capacity});
        }
        returned.notify_one();
    }
};

PooledBuffer::PooledBuffer(PooledBuffer&& other) noexcept
    : pool_(std::move(other.pool_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

PooledBuffer& PooledBuffer::operator=(PooledBuffer&& other) noexcept {
    if (this != &other) {
        reset();
        pool_ = std::move(other.pool_);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
        capacity_ = std::exchange(other.capacity_, 0);
    }
    return *this;
}

PooledBuffer::~PooledBuffer() { reset(); }

void PooledBuffer::reset() {
    if (data_ != nullptr && pool_) pool_->give_back(data_, capacity_);
    pool_.reset();
    data_ = nullptr;
    size_ = 0;
    capacity_ = 0;
}

BufferPool::BufferPool(std::size_t max_buffers)
    : state_(std::make_shared<PooledBuffer::State>(std::max<std::size_t>(max_buffers, 1))) {}

BufferPool::~BufferPool() { shutdown(); }

std::size_t BufferPool::buffers_for_fifo(std::size_t fifo_pairs, std::size_t workers,
                                         std::size_t held_pairs) {
    // Each worker decodes one layer at a time but may hold the finished half of a pair while
    // its partner is decoded elsewhere: count a pair per worker.
    return 2 * (fifo_pairs + workers + held_pairs);
}

std::optional<PooledBuffer> BufferPool::wait_acquire(std::size_t bytes,
                                                     std::chrono::milliseconds timeout) {
    auto& s = *state_;
    std::unique_lock lock(s.mutex);
    const auto can_go = [&] {
        return s.shut_down || !s.free.empty() || s.stats.live_buffers < s.max_buffers;
    };
    bool ready = can_go();
    if (!ready && timeout.count() > 0) {
        ++s.stats.waiting;
        ready = s.returned.wait_for(lock, timeout, can_go);
        --s.stats.waiting;
    }
    if (s.shut_down) return std::nullopt;
    if (!ready) {
        ++s.stats.wait_timeouts;
        return std::nullopt;
    }
    Block block;
    if (!s.free.empty()) {
        // Prefer the smallest free block that fits, else grow the largest.
        auto best = s.free.end();
        for (auto it = s.free.begin(); it != s.free.end(); ++it) {
            if (it->capacity >= bytes && (best == s.free.end() || it->capacity < best->capacity)) {
                best = it;
            }
        }
        if (best == s.free.end()) {
            best = std::max_element(s.free.begin(), s.free.end(),
                                    [](const Block& a, const Block& b) {
                                        return a.capacity < b.capacity;
                                    });
        }
        block = *best;
        *best = s.free.back();
        s.free.pop_back();
        if (block.capacity >= bytes) {
            ++s.stats.reuses;
        } else {
            s.stats.bytes -= block.capacity;
            release(block.data);
            block.data = nullptr;
        }
    } else {
        ++s.stats.live_buffers;
    }
    if (block.data == nullptr) {
        block.data = allocate(bytes);
        if (block.data == nullptr) {
            --s.stats.live_buffers;
            return std::nullopt;
        }
        block.capacity = bytes;
        s.stats.bytes += bytes;
        ++s.stats.allocations;
    }
    ++s.stats.in_use;
    s.stats.high_water = std::max(s.stats.high_water, s.stats.in_use);
    return PooledBuffer(state_, block.data, bytes, block.capacity);
}

std::size_t BufferPool::reserve(std::size_t count, std::size_t bytes) {
    auto& s = *state_;
    std::lock_guard lock(s.mutex);
    while (s.stats.live_buffers < std::min(count, s.max_buffers)) {
        std::uint8_t* data = allocate(bytes);
        if (data == nullptr) break;
        std::memset(data, 0, bytes);  // make it resident now, not on first use
        s.free.push_back(Block{data, bytes});
        ++s.stats.live_buffers;
        ++s.stats.allocations;
        s.stats.bytes += bytes;
    }
    return s.stats.live_buffers;
}

void BufferPool::shutdown() {
    {
        std::lock_guard lock(state_->mutex);
        state_->shut_down = true;
    }
    state_->returned.notify_all();
}

BufferPoolStats BufferPool::stats() const {
    std::lock_guard lock(state_->mutex);
    return state_->stats;
}

}  // namespace interleave::loader
