/**
 * Reference NT-Xent (SimCLR; lightly's NTXentLoss without memory bank, as CrossPoint uses) in
 * float64: a [B, D], b [B, D]; returns the mean loss over the 2B anchors and the gradients of
 * `scale · loss` with respect to a and b.
 */
export function ntxentRef(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  B: number,
  D: number,
  tau: number,
  scale = 1,
) {
  const R = 2 * B;
  const z = (r: number, d: number) => (r < B ? a[r * D + d]! : b[(r - B) * D + d]!);
  const norms = new Float64Array(R);
  const u = new Float64Array(R * D);
  for (let r = 0; r < R; r++) {
    let ss = 0;
    for (let d = 0; d < D; d++) ss += z(r, d) ** 2;
    norms[r] = Math.sqrt(ss);
    const inv = 1 / Math.max(norms[r]!, 1e-12);
    for (let d = 0; d < D; d++) u[r * D + d] = z(r, d) * inv;
  }
  const S = new Float64Array(R * R);
  for (let r = 0; r < R; r++)
    for (let j = 0; j < R; j++) {
      let acc = 0;
      for (let d = 0; d < D; d++) acc += u[r * D + d]! * u[j * D + d]!;
      S[r * R + j] = acc / tau;
    }
  let loss = 0;
  const dS = new Float64Array(R * R);
  for (let r = 0; r < R; r++) {
    const pos = r < B ? r + B : r - B;
    let mx = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < R; j++) if (j !== r) mx = Math.max(mx, S[r * R + j]!);
    let sum = 0;
    for (let j = 0; j < R; j++) if (j !== r) sum += Math.exp(S[r * R + j]! - mx);
    const lse = mx + Math.log(sum);
    loss += lse - S[r * R + pos]!;
    for (let j = 0; j < R; j++) {
      if (j === r) continue;
      dS[r * R + j] = ((Math.exp(S[r * R + j]! - lse) - (j === pos ? 1 : 0)) * scale) / R;
    }
  }
  loss /= R;
  const dz = new Float64Array(R * D);
  for (let r = 0; r < R; r++) {
    const dU = new Float64Array(D);
    for (let d = 0; d < D; d++) {
      let acc = 0;
      for (let j = 0; j < R; j++) acc += (dS[r * R + j]! + dS[j * R + r]!) * u[j * D + d]!;
      dU[d] = acc / tau;
    }
    let dot = 0;
    for (let d = 0; d < D; d++) dot += u[r * D + d]! * dU[d]!;
    const inv = 1 / Math.max(norms[r]!, 1e-12);
    for (let d = 0; d < D; d++) dz[r * D + d] = (dU[d]! - u[r * D + d]! * dot) * inv;
  }
  return { loss, da: dz.subarray(0, B * D), db: dz.subarray(B * D) };
}
