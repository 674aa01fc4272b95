// Tests for renderer/gl/texture_pool.cpp on each rung (GL 3.3 core, GLES 3.0, GLES 2.0),
// headless on Mesa llvmpipe: reuse across frames, one hand-out per frame, least recently used
// eviction beyond the cap, byte accounting, texture parameters and no names left behind.
// Thread: test main thread (the render thread here).
#include "renderer/gl/texture_pool.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <glad/gl.h>
#include <gtest/gtest.h>

#include "renderer/gl/egl_context.hpp"
#include "tests/renderer/gl/gl_rungs.hpp"

namespace interleave::renderer::gl {
namespace {

constexpr auto kRgba8 = TextureFormat::kRgba8;

class TexturePoolTest : public RungTest {
protected:
    // The pool must go before the context: its destructor deletes textures.
    void TearDown() override { pool_.reset(); }

    TexturePool& make_pool(std::size_t max_textures = TexturePool::kDefaultMaxTextures) {
        pool_.emplace(GetParam().api, max_textures);
        return *pool_;
    }

    // acquire() that must succeed; records every name handed out.
    GLuint acquire(int width_px, int height_px) {
        auto texture = pool_->acquire(width_px, height_px, kRgba8);
        EXPECT_TRUE(texture) << texture.error().message();
        if (!texture) return 0;
        seen_.insert(*texture);
        return *texture;
    }

    static bool contains(const std::vector<GLuint>& names, GLuint name) {
        return std::find(names.begin(), names.end(), name) != names.end();
    }

    std::optional<TexturePool> pool_;
    std::set<GLuint> seen_;
};

TEST_P(TexturePoolTest, AlternatingSizesReuseTwoTexturesPerLayerRole) {
    TexturePool& pool = make_pool();
    for (int frame = 0; frame < 10; ++frame) {
        pool.begin_frame();
        const bool big = frame % 2 == 1;
        const GLuint main = acquire(big ? 32 : 16, big ? 24 : 8);
        const GLuint floating = acquire(big ? 32 : 16, big ? 24 : 8);
        EXPECT_NE(main, floating) << "frame " << frame << ": one texture handed out twice";
        const TexturePoolStats stats = pool.stats();
        // Main and float of size A, then of size B, then only reuses.
        EXPECT_EQ(stats.allocations, frame == 0 ? 2u : 4u) << "frame " << frame;
        EXPECT_EQ(stats.reuses, frame < 2 ? 0u : static_cast<std::uint64_t>(frame - 1) * 2)
            << "frame " << frame;
    }
    const TexturePoolStats stats = pool.stats();
    EXPECT_EQ(stats.allocations, 4u);
    EXPECT_EQ(stats.reuses, 16u);
    EXPECT_EQ(stats.live, 4u);
    EXPECT_EQ(stats.evictions, 0u);
    EXPECT_EQ(seen_.size(), 4u);
    EXPECT_EQ(glGetError(), GLenum{GL_NO_ERROR});
}

TEST_P(TexturePoolTest, ATextureIsHandedOutOncePerFrame) {
    TexturePool& pool = make_pool();
    pool.begin_frame();
    const GLuint a = acquire(8, 8);
    const GLuint b = acquire(8, 8);
    const GLuint c = acquire(8, 8);
    EXPECT_EQ(std::set<GLuint>({a, b, c}).size(), 3u);
    EXPECT_EQ(pool.stats().allocations, 3u);
    // The next frame gets them back, most recently used first.
    pool.begin_frame();
    EXPECT_EQ(acquire(8, 8), c);
    EXPECT_EQ(acquire(8, 8), b);
    EXPECT_EQ(pool.stats().reuses, 2u);
    // Another key never matches, even with the same number of bytes.
    EXPECT_FALSE(contains({a, b, c}, acquire(16, 4)));
    EXPECT_EQ(pool.stats().allocations, 4u);
}

TEST_P(TexturePoolTest, TheCapEvictsTheLeastRecentlyUsedTexture) {
    TexturePool& pool = make_pool(3);
    pool.begin_frame();
    const GLuint a = acquire(4, 4);
    pool.begin_frame();
    const GLuint b = acquire(5, 5);
    pool.begin_frame();
    const GLuint c = acquire(6, 6);
    pool.begin_frame();
    EXPECT_EQ(acquire(4, 4), a);  // a is now the most recently used; b the least
    pool.begin_frame();
    const GLuint d = acquire(7, 7);  // full: b goes first
    const std::vector<GLuint> names = pool.object_names();
    EXPECT_EQ(names.size(), 3u);
    EXPECT_TRUE(contains(names, a));
    EXPECT_FALSE(contains(names, b));
    EXPECT_TRUE(contains(names, c));
    EXPECT_TRUE(contains(names, d));
    // The driver may hand b's name out again for d; otherwise it must be gone.
    if (d != b) {
        EXPECT_FALSE(glIsTexture(b));
    }
    TexturePoolStats stats = pool.stats();
    EXPECT_EQ(stats.evictions, 1u);
    EXPECT_EQ(stats.live, 3u);
    // Asking for b's size again allocates and evicts the next oldest (c).
    acquire(5, 5);
    stats = pool.stats();
    EXPECT_EQ(stats.allocations, 5u);
    EXPECT_EQ(stats.evictions, 2u);
    EXPECT_FALSE(contains(pool.object_names(), c));
    EXPECT_TRUE(contains(pool.object_names(), d));
}

TEST_P(TexturePoolTest, TexturesInUseAreNeverEvictedTheExcessGoesAtTheNextFrame) {
    TexturePool& pool = make_pool(2);
    pool.begin_frame();
    const GLuint a = acquire(4, 4);
    const GLuint b = acquire(5, 5);
    const GLuint c = acquire(6, 6);  // over the cap: a and b are in use
    EXPECT_EQ(pool.stats().live, 3u);
    EXPECT_EQ(pool.stats().evictions, 0u);
    for (GLuint name : {a, b, c}) EXPECT_TRUE(glIsTexture(name)) << name;
    pool.begin_frame();
    EXPECT_EQ(pool.stats().live, 2u);
    EXPECT_EQ(pool.stats().evictions, 1u);
    EXPECT_FALSE(glIsTexture(a));
    EXPECT_TRUE(glIsTexture(b));
    EXPECT_TRUE(glIsTexture(c));
}

TEST_P(TexturePoolTest, BytesCountEveryLiveTexture) {
    TexturePool& pool = make_pool(3);
    EXPECT_EQ(pool.stats().bytes, 0u);
    pool.begin_frame();
    acquire(16, 8);
    acquire(32, 24);
    acquire(1, 1);
    EXPECT_EQ(pool.stats().bytes, (16u * 8 + 32u * 24 + 1) * 4);
    pool.begin_frame();
    acquire(3840, 2160);  // evicts 16x8, the least recently used
    EXPECT_EQ(pool.stats().bytes, (32u * 24 + 1 + 3840u * 2160) * 4);
    EXPECT_EQ(bytes_per_pixel(kRgba8), 4);
}

TEST_P(TexturePoolTest, TexturesAreLinearClampedAndImmutableWhereAvailable) {
    TexturePool& pool = make_pool();
    EXPECT_EQ(pool.immutable_storage(), GetParam().api != GlApi::kGles20);
    pool.begin_frame();
    const GLuint pooled = acquire(20, 10);
    const GLuint unpooled = pool.create_unpooled(7, 3, kRgba8);
    for (GLuint texture : {pooled, unpooled}) {
        glBindTexture(GL_TEXTURE_2D, texture);
        GLint value = 0;
        glGetTexParameteriv(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, &value);
        EXPECT_EQ(value, GL_LINEAR);
        glGetTexParameteriv(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, &value);
        EXPECT_EQ(value, GL_LINEAR);
        glGetTexParameteriv(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, &value);
        EXPECT_EQ(value, GL_CLAMP_TO_EDGE);
        glGetTexParameteriv(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, &value);
        EXPECT_EQ(value, GL_CLAMP_TO_EDGE);
        if (GetParam().api != GlApi::kGles20) {  // GLES 2.0 has no such query
            glGetTexParameteriv(GL_TEXTURE_2D, GL_TEXTURE_IMMUTABLE_FORMAT, &value);
            EXPECT_EQ(value, pool.immutable_storage() ? GL_TRUE : GL_FALSE);
        }
    }
    glBindTexture(GL_TEXTURE_2D, 0);
    // Unpooled textures belong to the caller: not counted, not listed.
    EXPECT_EQ(pool.stats().live, 1u);
    EXPECT_FALSE(contains(pool.object_names(), unpooled));
    glDeleteTextures(1, &unpooled);
    EXPECT_EQ(glGetError(), GLenum{GL_NO_ERROR});
}

TEST_P(TexturePoolTest, RejectsBadSizes) {
    TexturePool& pool = make_pool();
    pool.begin_frame();
    for (const auto& [w, h] : {std::pair{0, 4}, std::pair{4, 0}, std::pair{-1, 4}}) {
        const auto texture = pool.acquire(w, h, kRgba8);
        ASSERT_FALSE(texture) << w << "x" << h;
        EXPECT_EQ(texture.error().code, ErrorCode::kInvalidArgument);
        EXPECT_EQ(texture.error().subject, "TexturePool::acquire");
    }
    EXPECT_EQ(pool.stats().live, 0u);
}

TEST_P(TexturePoolTest, DestructionDeletesEveryTextureItEverCreated) {
    TexturePool& pool = make_pool(4);
    for (int frame = 0; frame < 12; ++frame) {  // sizes come and go: some are evicted
        pool.begin_frame();
        acquire(8 + frame % 5, 8);
        acquire(8 + frame % 5, 8);
    }
    EXPECT_GT(pool.stats().evictions, 0u);
    EXPECT_EQ(pool.stats().live, 4u);
    EXPECT_EQ(pool.stats().allocations, pool.stats().live + pool.stats().evictions);
    pool_.reset();
    ASSERT_FALSE(seen_.empty());
    for (GLuint name : seen_) EXPECT_FALSE(glIsTexture(name)) << name;
    EXPECT_EQ(glGetError(), GLenum{GL_NO_ERROR});
}

INSTANTIATE_TEST_SUITE_P(EachRung, TexturePoolTest, every_rung(), rung_name);

}  // namespace
}  // namespace interleave::renderer::gl
