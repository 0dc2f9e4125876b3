// BatchNorm's per-channel finalize, shared by batchnorm.wgsl and the EdgeConv shaders (through
// parts/edgeconv_bn.wgsl): 1/σ from a variance, and PyTorch's running-statistics update.

// 1/σ of a channel from its variance (the biased batch one in training, the running one in eval).
fn bnInvStd(v: f32, eps: f32) -> f32 { return 1.0 / sqrt(v + eps); }

// PyTorch's running update: momentum weighs the new batch value. For the running variance the
// caller passes the unbiased batch variance.
fn bnRunning(running: f32, batch: f32, momentum: f32) -> f32 {
  return (1.0 - momentum) * running + momentum * batch;
}
