#version 300 es
// Dialect header for GLES 3.0, prepended to every shader source (GLSL ES 3.00 wants #version on
// the first line). Thread: none (GLSL text). ES 3.0 guarantees highp in fragment shaders.
precision highp float;
#define ATTRIBUTE in
#define VARYING_OUT out
#define VARYING_IN in
#define TEXTURE texture
#define FRAG_COLOR_DECL out vec4 frag_color;
#define FRAG_COLOR frag_color
