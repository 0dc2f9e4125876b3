// Rasterises a triangle mesh for one view: flat Lambert + ambient shading of a single object
// colour. Face normals come from screen-space derivatives of the world position, turned to face
// the camera, so the mesh needs no normals and its winding does not matter.
// positions: vertex buffer [V, 3] f32; indices: index buffer [F * 3] u32

struct View {
  viewProj: mat4x4f,
  eye: vec4f,    // camera position (world)
  light: vec4f,  // unit direction towards the light (world)
  color: vec4f,  // rgb: object colour; a: ambient fraction
  params: vec4f, // x, y: splat radius in NDC (points only); z: 1 when points carry normals
}

@group(0) @binding(0) var<uniform> view: View;

struct VOut {
  @builtin(position) pos: vec4f,
  @location(0) world: vec3f,
}

@vertex
fn vs(@location(0) p: vec3f) -> VOut {
  var o: VOut;
  o.pos = view.viewProj * vec4f(p, 1.0);
  o.world = p;
  return o;
}

@fragment
fn fs(v: VOut) -> @location(0) vec4f {
  let n0 = normalize(cross(dpdx(v.world), dpdy(v.world)));
  let toEye = view.eye.xyz - v.world;
  let n = select(-n0, n0, dot(n0, toEye) >= 0.0);
  let lambert = max(dot(n, view.light.xyz), 0.0);
  let a = view.color.a;
  return vec4f(view.color.rgb * (a + (1.0 - a) * lambert), 1.0);
}
