// Finiteness of one f32 (included by the optimizers' gradient checks).

fn isFinite(x: f32) -> bool {
  // NaN fails every comparison; ±inf exceeds the largest finite f32.
  return abs(x) <= 3.4028234663852886e38;
}
