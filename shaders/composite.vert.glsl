// Composite vertex shader: one full-screen quad; maps each output position to content uv.
// Thread: none (GLSL text, compiled on the render thread). Needs a dialect header first.

ATTRIBUTE vec2 a_position;     // quad corner in clip space, -1..1
// Output clip position (x, y, 1) -> content uv. It carries the letterbox scale, the rotation by
// 90-degree steps and the mirroring; uv outside 0..1 is letterbox area.
uniform mat3 u_uv_transform;

VARYING_OUT vec2 v_uv;

void main() {
    v_uv = (u_uv_transform * vec3(a_position, 1.0)).xy;
    gl_Position = vec4(a_position, 0.0, 1.0);
}
