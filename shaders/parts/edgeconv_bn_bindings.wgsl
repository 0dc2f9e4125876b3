// The BatchNorm bindings of the three EdgeConv shaders (edgeconv.wgsl, edgeconv2.wgsl,
// edgeconv_naive.wgsl), which include this part: the same numbers in each, so the launchers bind
// the statistics, γ, β, the running statistics and dγ, dβ alike.
//   partial: [channels, chunks, 2] per-chunk sums of the two-pass reductions
//   stats: [channels, 8] per channel: mean, var (biased), 1/σ, γ, β, A, c1, c2 (edgeconv2: more
//     after, see its header)
//   gamma, beta, runMean, runVar, dGamma, dBeta: [channels]

@group(0) @binding(5) var<storage, read_write> partial: array<f32>;
@group(0) @binding(6) var<storage, read_write> stats: array<f32>;
@group(0) @binding(7) var<storage, read> gamma: array<f32>;
@group(0) @binding(8) var<storage, read> beta: array<f32>;
@group(0) @binding(9) var<storage, read_write> runMean: array<f32>;
@group(0) @binding(10) var<storage, read_write> runVar: array<f32>;
@group(0) @binding(21) var<storage, read_write> dGamma: array<f32>;
@group(0) @binding(22) var<storage, read_write> dBeta: array<f32>;
