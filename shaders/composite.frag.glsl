// Composite fragment shader: main, then float, over the background colour, straight alpha:
// out = mix(mix(bg, main.rgb, main.a), float.rgb, float.a). Thread: none (GLSL text, compiled
// on the render thread). Needs a dialect header first.

uniform sampler2D u_main;      // RGBA, straight alpha (the SBS mask is already in .a)
uniform sampler2D u_float;     // RGBA, straight alpha
uniform vec3 u_background;     // 0..1

VARYING_IN vec2 v_uv;

FRAG_COLOR_DECL

void main() {
    vec4 main_texel = TEXTURE(u_main, v_uv);
    vec4 float_texel = TEXTURE(u_float, v_uv);
    vec3 colour = mix(mix(u_background, main_texel.rgb, main_texel.a), float_texel.rgb,
                      float_texel.a);
    bool inside = all(greaterThanEqual(v_uv, vec2(0.0))) && all(lessThanEqual(v_uv, vec2(1.0)));
    // The fixed-function conversion to the 8-bit target rounds to nearest, as the CPU path does.
    FRAG_COLOR = vec4(inside ? colour : u_background, 1.0);
}
