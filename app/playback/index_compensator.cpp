// IndexCompensator: a ring of differences with a running sum; exact rational rounding.
#include "app/playback/index_compensator.hpp"

#include <algorithm>

namespace interleave::app {
namespace {

// round(num / den) with ties to even, den > 0.
std::int64_t round_half_even(std::int64_t num, std::int64_t den) {
    std::int64_t q = num / den;
    std::int64_t r = num % den;
    if (r < 0) {  // floor division
        --q;
        r += den;
    }
    const std::int64_t twice = 2 * r;
    if (twice > den || (twice == den && (q % 2 != 0))) ++q;
    return q;
}

}  // namespace

IndexCompensator::IndexCompensator(std::size_t window, std::int64_t factor_num,
                                   std::int64_t factor_den)
    : window_(std::clamp<std::size_t>(window, 1, kMaxWindow)),
      factor_num_(factor_num),
      factor_den_(factor_den > 0 ? factor_den : 1) {}

void IndexCompensator::update(std::int64_t wanted_index, std::int64_t displayed_index) {
    const std::int64_t diff = wanted_index - displayed_index;
    if (count_ == window_) {
        sum_ -= diffs_[next_];
    } else {
        ++count_;
    }
    diffs_[next_] = diff;
    sum_ += diff;
    next_ = (next_ + 1) % window_;
}

std::int64_t IndexCompensator::compensated(std::int64_t wanted_index) const {
    if (count_ == 0) return wanted_index;
    const std::int64_t offset =
        round_half_even(sum_ * factor_num_, static_cast<std::int64_t>(count_) * factor_den_);
    return wanted_index - offset;
}

void IndexCompensator::reset() {
    count_ = 0;
    next_ = 0;
    sum_ = 0;
}

}  // namespace interleave::app
