#version 330 core
// Dialect header for desktop GL 3.3 core, prepended to every shader source (#version must come
// first). Thread: none (GLSL text).
#define ATTRIBUTE in
#define VARYING_OUT out
#define VARYING_IN in
#define TEXTURE texture
#define FRAG_COLOR_DECL out vec4 frag_color;
#define FRAG_COLOR frag_color
