// FrameHub and SinkPort: the ports' mailboxes (latest-wins or bounded queue) and the pool the
// render thread fills frames from.
#include "app/sinks/frame_hub.hpp"

#include <utility>

namespace interleave::app {

// [SECTION] SinkPort

SinkPort::SinkPort(std::string name, SinkPolicy policy, std::size_t queue_frames,
                   std::uint64_t every)
    : name_(std::move(name)), policy_(policy),
      queue_frames_(policy == SinkPolicy::kLatest ? 1 : (queue_frames == 0 ? 1 : queue_frames)),
      every_(every == 0 ? 1 : every) {}

void SinkPort::set_wanted(bool wanted) {
    const bool was = wanted_.exchange(wanted, std::memory_order_acq_rel);
    if (wanted && !was && refresh_) refresh_->store(true, std::memory_order_release);
}

bool SinkPort::wants_refresh() const {
    return policy_ == SinkPolicy::kLatest && wanted() && !closed();
}

bool SinkPort::wants(std::uint64_t shown) const {
    return wanted() && !closed() && shown % every_ == 0;
}

void SinkPort::offer(const FrameRef& frame) {
    FrameRef replaced;  // released outside the lock: its buffer goes back to the pool
    {
        std::lock_guard lock(mutex_);
        if (closed()) return;
        ++stats_.offered;
        latest_ = frame;
        if (policy_ == SinkPolicy::kLatest) {
            if (!queue_.empty()) {
                replaced = std::move(queue_.front());
                queue_.clear();
                ++stats_.skipped;
            }
            queue_.push_back(frame);
        } else if (queue_.size() >= queue_frames_) {
            ++stats_.dropped;
            return;
        } else {
            queue_.push_back(frame);
        }
    }
    ready_.notify_one();
}

FrameRef SinkPort::wait_take(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (timeout.count() > 0) {
        ready_.wait_for(lock, timeout, [this] { return !queue_.empty() || closed(); });
    }
    if (queue_.empty()) return nullptr;
    FrameRef frame = std::move(queue_.front());
    queue_.pop_front();
    ++stats_.taken;
    return frame;
}

FrameRef SinkPort::latest() const {
    std::lock_guard lock(mutex_);
    return latest_;
}

void SinkPort::close() {
    {
        std::lock_guard lock(mutex_);
        closed_.store(true, std::memory_order_release);
        // A live port's pending frame is of no use any more; a queue keeps what it holds for
        // its sink to finish (the recorder writes what it accepted).
        if (policy_ == SinkPolicy::kLatest) queue_.clear();
        latest_.reset();
    }
    ready_.notify_all();
}

bool SinkPort::closed() const { return closed_.load(std::memory_order_acquire); }

SinkPortStats SinkPort::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

// [SECTION] FrameHub

FrameHub::FrameHub() = default;

FrameHub::~FrameHub() { close_all(); }

std::shared_ptr<SinkPort> FrameHub::attach(std::string name, SinkPolicy policy,
                                           std::size_t queue_frames, std::uint64_t every) {
    auto port = std::make_shared<SinkPort>(std::move(name), policy, queue_frames, every);
    port->refresh_ = refresh_;
    std::lock_guard lock(mutex_);
    // What the port may hold: its queue (or latest slot), the frame its sink works on, and the
    // one latest() keeps.
    pool_cap_ += port->queue_frames_ + 2;
    pool_.reset();  // made at the new size on the next acquire (no frame is out yet)
    auto ports = std::make_shared<Ports>(*ports_);
    ports->push_back(port);
    ports_ = std::move(ports);
    return port;
}

bool FrameHub::wanted(std::uint64_t shown) const {
    std::lock_guard lock(mutex_);  // ports' wants() take no lock: hub -> port never nests
    for (const auto& port : *ports_) {
        if (port->wants(shown)) return true;
    }
    return false;
}

std::shared_ptr<CapturedFrame> FrameHub::try_acquire(int width_px, int height_px) {
    if (width_px <= 0 || height_px <= 0) return nullptr;
    loader::BufferPool* pool = nullptr;
    {
        std::lock_guard lock(mutex_);
        if (!pool_) pool_ = std::make_unique<loader::BufferPool>(pool_cap_);
        pool = pool_.get();
    }
    const std::size_t bytes =
        static_cast<std::size_t>(width_px) * static_cast<std::size_t>(height_px) * 4;
    auto buffer = pool->wait_acquire(bytes, std::chrono::milliseconds(0));
    if (!buffer) {
        pool_exhausted_.fetch_add(1, std::memory_order_relaxed);
        return nullptr;
    }
    auto frame = std::make_shared<CapturedFrame>();
    frame->pixels = std::move(*buffer);
    frame->width_px = width_px;
    frame->height_px = height_px;
    return frame;
}

void FrameHub::publish(std::shared_ptr<CapturedFrame> frame) {
    if (!frame) return;
    frame->sequence = next_sequence_++;
    const FrameRef shared = std::move(frame);
    std::shared_ptr<const Ports> ports;
    {
        std::lock_guard lock(mutex_);
        ports = ports_;
    }
    bool offered = false;
    for (const auto& port : *ports) {
        if (shared->refresh ? !port->wants_refresh() : !port->wants(shared->shown)) continue;
        port->offer(shared);
        offered = true;
    }
    if (offered) published_.fetch_add(1, std::memory_order_relaxed);
}

bool FrameHub::take_refresh() { return refresh_->exchange(false, std::memory_order_acq_rel); }

bool FrameHub::live_wanted() const {
    std::lock_guard lock(mutex_);
    for (const auto& port : *ports_) {
        if (port->wants_refresh()) return true;
    }
    return false;
}

void FrameHub::close_all() {
    std::shared_ptr<const Ports> ports;
    {
        std::lock_guard lock(mutex_);
        ports = ports_;
    }
    for (const auto& port : *ports) port->close();
}

FrameHubStats FrameHub::stats() const {
    FrameHubStats s;
    s.published = published_.load(std::memory_order_relaxed);
    s.pool_exhausted = pool_exhausted_.load(std::memory_order_relaxed);
    std::lock_guard lock(mutex_);
    s.pool_buffers = pool_cap_;
    if (pool_) s.pool_bytes = pool_->stats().bytes;
    return s;
}

std::vector<std::shared_ptr<SinkPort>> FrameHub::ports() const {
    std::lock_guard lock(mutex_);
    return *ports_;
}

}  // namespace interleave::app
