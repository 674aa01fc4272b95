// IndexCompensator: the original's rolling index compensator. It keeps the last `window`
// differences (wanted index - displayed index) and offsets the index it asks the FIFO for by
// round(mean x factor), pulling a steady lag toward zero. Thread: render thread only.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace interleave::app {

class IndexCompensator {
public:
    static constexpr std::size_t kMaxWindow = 64;

    // window: 1..64 differences (the original: 10); factor: factor_num / factor_den (0.5).
    explicit IndexCompensator(std::size_t window = 10, std::int64_t factor_num = 1,
                              std::int64_t factor_den = 2);

    // Records what was wanted and what was actually shown.
    void update(std::int64_t wanted_index, std::int64_t displayed_index);
    // wanted - round(mean(differences) x factor), rounding half to even like the original's
    // Python round(); the wanted index itself before any update.
    [[nodiscard]] std::int64_t compensated(std::int64_t wanted_index) const;
    void reset();

    [[nodiscard]] std::size_t size() const { return count_; }

private:
    std::array<std::int64_t, kMaxWindow> diffs_{};
    std::size_t window_;
    std::size_t next_ = 0;
    std::size_t count_ = 0;
    std::int64_t sum_ = 0;
    std::int64_t factor_num_;
    std::int64_t factor_den_;
};

}  // namespace interleave::app
