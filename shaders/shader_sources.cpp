// Lookup over the shader table that shaders/CMakeLists.txt generates at build time.
// Thread: any (read-only data).
#include "shaders/shader_sources.hpp"

#include <algorithm>
#include <cassert>
#include <iterator>

namespace interleave::shaders {
namespace {

struct EmbeddedFile {
    std::string_view name;
    std::string_view text;
};

// Sorted by name (the generator reads the files in sorted order).
constexpr EmbeddedFile kFiles[] = {
#include "shaders/shader_table.inc"
};

std::string_view header_name(Dialect dialect) {
    switch (dialect) {
    case Dialect::kGlsl330: return "header_330.glsl";
    case Dialect::kGlsl300es: return "header_300es.glsl";
    case Dialect::kGlsl100: return "header_100.glsl";
    }
    return {};
}

}  // namespace

std::string_view source(std::string_view name) {
    const auto it = std::find_if(std::begin(kFiles), std::end(kFiles),
                                 [name](const EmbeddedFile& file) { return file.name == name; });
    return it == std::end(kFiles) ? std::string_view{} : it->text;
}

std::string program_source(Dialect dialect, std::string_view name) {
    const std::string_view body = source(name);
    if (body.empty()) return {};
    const std::string_view header = source(header_name(dialect));
    assert(!header.empty() && "dialect header missing from shaders/");
    std::string program;
    program.reserve(header.size() + body.size());
    program.append(header).append(body);
    return program;
}

std::vector<std::string_view> names() {
    std::vector<std::string_view> result;
    result.reserve(std::size(kFiles));
    for (const EmbeddedFile& file : kFiles) result.push_back(file.name);
    return result;
}

}  // namespace interleave::shaders
