#version 100
// Dialect header for GLES 2.0, prepended to every shader source (#version must come first).
// Thread: none (GLSL text). highp is optional in ES 2.0 fragment shaders; mediump (10-bit
// mantissa) still resolves texel centres up to 1024 px per side.
#ifdef GL_FRAGMENT_PRECISION_HIGH
precision highp float;
#else
precision mediump float;
#endif
#define ATTRIBUTE attribute
#define VARYING_OUT varying
#define VARYING_IN varying
#define TEXTURE texture2D
#define FRAG_COLOR_DECL
#define FRAG_COLOR gl_FragColor
