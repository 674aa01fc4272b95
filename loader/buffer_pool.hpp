// BufferPool: recycled, 64-byte aligned pixel buffers, so steady-state decoding allocates
// nothing. Thread: any; internally locked (leaf lock). PooledBuffer: owned by one thread at a
// time and handed between threads only by move.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

namespace interleave::loader {

struct BufferPoolStats {
    std::size_t max_buffers = 0;     // the cap: acquire waits beyond it
    std::size_t live_buffers = 0;    // allocated, in use or free
    std::size_t in_use = 0;          // handed out now
    std::size_t high_water = 0;      // most ever handed out at once
    std::uint64_t allocations = 0;   // buffers allocated or grown (steady state: no change)
    std::uint64_t reuses = 0;        // acquires served from the free list without allocating
    std::uint64_t wait_timeouts = 0; // acquires that gave up because every buffer stayed busy
    std::size_t waiting = 0;         // acquires blocked right now, waiting for a buffer
    std::uint64_t bytes = 0;         // capacity of all live buffers
};

class BufferPool;

// A handle on one pool buffer; returns it to its pool when destroyed. Move-only. Safe to
// destroy after the BufferPool object itself is gone (the pool's state is shared).
class PooledBuffer {
public:
    PooledBuffer() = default;
    PooledBuffer(PooledBuffer&& other) noexcept;
    PooledBuffer& operator=(PooledBuffer&& other) noexcept;
    PooledBuffer(const PooledBuffer&) = delete;
    PooledBuffer& operator=(const PooledBuffer&) = delete;
    ~PooledBuffer();

    [[nodiscard]] std::uint8_t* data() { return data_; }
    [[nodiscard]] const std::uint8_t* data() const { return data_; }
    [[nodiscard]] std::size_t size() const { return size_; }          // bytes asked for
    [[nodiscard]] std::size_t capacity() const { return capacity_; }  // bytes allocated
    [[nodiscard]] std::span<std::uint8_t> bytes() { return {data_, size_}; }
    [[nodiscard]] std::span<const std::uint8_t> bytes() const { return {data_, size_}; }
    [[nodiscard]] explicit operator bool() const { return data_ != nullptr; }

    // Gives the buffer back now (same as destroying the handle).
    void reset();

private:
    friend class BufferPool;
    struct State;
    PooledBuffer(std::shared_ptr<State> pool, std::uint8_t* data, std::size_t size,
                 std::size_t capacity)
        : pool_(std::move(pool)), data_(data), size_(size), capacity_(capacity) {}

    std::shared_ptr<State> pool_;
    std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

class BufferPool {
public:
    // At most `max_buffers` buffers exist at once; size it from the FIFO capacity (see
    // buffers_for_fifo). Buffers are allocated lazily, on first demand.
    explicit BufferPool(std::size_t max_buffers);
    ~BufferPool();
    BufferPool(const BufferPool&) = delete;
    BufferPool& operator=(const BufferPool&) = delete;

    // Buffers needed so that a FIFO of `fifo_pairs` pairs, `workers` decoders and a renderer
    // holding `held_pairs` pairs never wait on each other: 2 layers per pair.
    [[nodiscard]] static std::size_t buffers_for_fifo(std::size_t fifo_pairs, std::size_t workers,
                                                      std::size_t held_pairs = 2);

    // A buffer of at least `bytes`, reusing a free one (grown if it is too small). Blocks up to
    // `timeout` while every buffer is handed out; nullopt on timeout or after shutdown().
    [[nodiscard]] std::optional<PooledBuffer> wait_acquire(std::size_t bytes,
                                                           std::chrono::milliseconds timeout);

    // Allocates free buffers of `bytes` (and touches every page) until `count` buffers exist,
    // at most max_buffers: memory is then resident from the start and stays flat, whatever
    // bursts come later. Returns the number of buffers that exist afterwards.
    std::size_t reserve(std::size_t count, std::size_t bytes);

    // Wakes every waiter; later acquires fail at once. Outstanding buffers still come back.
    void shutdown();

    [[nodiscard]] BufferPoolStats stats() const;

private:
    std::shared_ptr<PooledBuffer::State> state_;
};

}  // namespace interleave::loader
