// Renders a point cloud as round screen-space splats: one instance per point, two triangles
// per instance, discarded outside the disc. Shaded like render_mesh.wgsl when the points carry
// normals (turned to face the camera), otherwise a constant shade.
// point: instance vertex buffer [N, 3] f32; normal: instance vertex buffer [N, 3] f32

struct View {
  viewProj: mat4x4f,
  eye: vec4f,
  light: vec4f,
  color: vec4f,
  params: vec4f, // x, y: splat radius in NDC; z: 1 when normals are meaningful
}

@group(0) @binding(0) var<uniform> view: View;

struct VOut {
  @builtin(position) pos: vec4f,
  @location(0) uv: vec2f,
  @location(1) world: vec3f,
  @location(2) normal: vec3f,
}

@vertex
fn vs(@builtin(vertex_index) vi: u32, @location(0) p: vec3f, @location(1) nrm: vec3f) -> VOut {
  // Corners of the quad as two triangles: (0,1,2) (2,1,3) over (-1,-1) (1,-1) (-1,1) (1,1).
  let corner = array<vec2f, 6>(vec2f(-1, -1), vec2f(1, -1), vec2f(-1, 1), vec2f(-1, 1), vec2f(1, -1), vec2f(1, 1));
  let c = corner[vi];
  var o: VOut;
  let clip = view.viewProj * vec4f(p, 1.0);
  o.pos = vec4f(clip.xy + c * view.params.xy * clip.w, clip.zw);
  o.uv = c;
  o.world = p;
  o.normal = nrm;
  return o;
}

@fragment
fn fs(v: VOut) -> @location(0) vec4f {
  if (dot(v.uv, v.uv) > 1.0) { discard; }
  var shade = 0.85;
  if (view.params.z > 0.5) {
    let toEye = view.eye.xyz - v.world;
    let n0 = normalize(v.normal);
    let n = select(-n0, n0, dot(n0, toEye) >= 0.0);
    let a = view.color.a;
    shade = a + (1.0 - a) * max(dot(n, view.light.xyz), 0.0);
  }
  return vec4f(view.color.rgb * shade, 1.0);
}
