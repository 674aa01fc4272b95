// Thread naming through pthread_setname_np.
#include "core/thread.hpp"

#include <pthread.h>

#include <string>

namespace interleave {

void set_current_thread_name(std::string_view name) {
    std::string truncated(name.substr(0, 15));
    pthread_setname_np(pthread_self(), truncated.c_str());
}

}  // namespace interleave
