// Airplanes (nose towards +z): airliners with two or four podded engines or rear-mounted
// engines, fighters with delta or swept wings, propeller planes with straight high or low wings;
// conventional, T, V or twin-fin tails.
import type { Rng } from '../../util/random';
import { chance, panel, pick } from './params';
import { cylinder, loft, type MeshBuilder, mul, Rx, Rz, S, T, type Vec3 } from './primitives';
import { AIRPLANE_PARTS } from './part-ids';

export function airplane(rng: Rng, b: MeshBuilder): void {
  const kind = pick(rng, ['airliner', 'airliner', 'fighter', 'prop'] as const);
  const L = kind === 'fighter' ? rng.uniform(1.4, 1.8) : rng.uniform(1.6, 2.4);
  const R = L * (kind === 'fighter' ? rng.uniform(0.035, 0.055) : rng.uniform(0.045, 0.075));
  const noseLen = L * (kind === 'fighter' ? rng.uniform(0.2, 0.3) : rng.uniform(0.08, 0.15));
  const tailLen = L * rng.uniform(0.22, 0.32);
  const tailUp = R * rng.uniform(0.3, 0.8);

  // Fuselage: elliptic sections, rounded nose, tail tapering upward.
  const sections: Vec3[][] = [];
  const n = 18;
  for (let i = 0; i <= n; i++) {
    const z = L / 2 - (L * i) / n;
    const fromNose = L / 2 - z;
    const fromTail = z + L / 2;
    let r = R;
    let yc = 0;
    if (fromNose < noseLen)
      r = R * Math.sqrt(Math.max(0.02, fromNose / noseLen) * (kind === 'fighter' ? 0.9 : 1));
    if (fromTail < tailLen) {
      const u = fromTail / tailLen;
      r = R * (0.15 + 0.85 * u);
      yc = tailUp * (1 - u);
    }
    const ring: Vec3[] = [];
    for (let j = 0; j < 14; j++) {
      const a = (2 * Math.PI * j) / 14;
      ring.push([r * Math.cos(a), yc + r * 1.05 * Math.sin(a), z]);
    }
    sections.push(ring);
  }
  b.part(AIRPLANE_PARTS.body).add(loft(sections));

  // Main wings.
  const span = kind === 'fighter' ? L * rng.uniform(0.25, 0.4) : L * rng.uniform(0.4, 0.6);
  const root = kind === 'fighter' ? L * rng.uniform(0.35, 0.5) : L * rng.uniform(0.14, 0.22);
  const tip =
    root *
    (kind === 'fighter'
      ? rng.uniform(0.05, 0.3)
      : kind === 'prop'
        ? rng.uniform(0.6, 1)
        : rng.uniform(0.25, 0.45));
  const sweepAngle =
    kind === 'prop'
      ? rng.uniform(0, 0.1)
      : kind === 'fighter'
        ? rng.uniform(0.6, 1.0)
        : rng.uniform(0.35, 0.65);
  const sweep = span * Math.tan(sweepAngle);
  const dihedral = span * rng.uniform(-0.02, 0.1);
  const wingY = kind === 'prop' ? pick(rng, [R * 0.8, -R * 0.6]) : kind === 'fighter' ? 0 : -R * 0.45;
  const wingZ = kind === 'fighter' ? -L * rng.uniform(0.05, 0.15) : L * rng.uniform(-0.02, 0.12);
  const wing = panel(root, tip, span, sweep, dihedral, root * 0.1);
  b.part(AIRPLANE_PARTS.wing).addMirrorX(wing, T(0, wingY, wingZ));

  // Engines (a fighter's side intakes are part of its body).
  b.part(AIRPLANE_PARTS.engine);
  if (kind === 'airliner') {
    const rear = chance(rng, 0.25);
    const count = rear ? 2 : pick(rng, [2, 2, 4]);
    const er = R * rng.uniform(0.35, 0.55);
    const el = er * rng.uniform(3, 4.5);
    const nacelle = cylinder(er, el, 14, er * 0.8);
    if (rear) {
      for (const sx of [-1, 1])
        b.add(nacelle, mul(T(sx * R * 1.5, R * 0.3, -L / 2 + tailLen * 0.9), Rx(Math.PI / 2)));
    } else {
      const fr = count === 2 ? [rng.uniform(0.3, 0.4)] : [0.28, 0.6];
      for (const f of fr) {
        const x = span * f;
        const z = wingZ + root / 2 - sweep * f;
        for (const sx of [-1, 1])
          b.add(nacelle, mul(T(sx * x, wingY + dihedral * f - er * 1.2, z + el * 0.2), Rx(Math.PI / 2)));
      }
    }
  } else if (kind === 'prop') {
    b.add(cylinder(R * 0.4, R * 0.5, 12, 0), mul(T(0, 0, L / 2 + R * 0.15), Rx(Math.PI / 2)));
    const blade = cylinder(R * 0.12, R * 2.6, 6);
    b.add(blade, mul(T(0, 0, L / 2 + R * 0.05), Rz(rng.uniform(0, Math.PI)), S(1, 1, 0.3)));
    if (chance(rng, 0.4)) {
      // Twin engines on the wings.
      const x = span * 0.35;
      for (const sx of [-1, 1])
        b.add(
          cylinder(R * 0.45, root * 1.1, 12, R * 0.3),
          mul(T(sx * x, wingY, wingZ + root * 0.3), Rx(Math.PI / 2)),
        );
    }
  } else if (chance(rng, 0.5)) {
    // Side air intakes of a fighter.
    b.part(AIRPLANE_PARTS.body);
    for (const sx of [-1, 1])
      b.add(cylinder(R * 0.5, L * 0.3, 10), mul(T(sx * R * 1.1, -R * 0.2, 0), Rx(Math.PI / 2)));
  }

  // Tail.
  b.part(AIRPLANE_PARTS.tail);
  const tail = pick(
    rng,
    kind === 'fighter'
      ? (['twin', 'conventional', 'twin'] as const)
      : (['conventional', 'conventional', 't', 'v'] as const),
  );
  const zt = -L / 2 + tailLen * 0.35;
  const finH = R * rng.uniform(2.2, 3.6);
  const finChord = tailLen * rng.uniform(0.45, 0.7);
  const stabSpan = span * rng.uniform(0.3, 0.42);
  const stabChord = finChord * rng.uniform(0.6, 0.9);
  const fin = panel(
    finChord,
    finChord * rng.uniform(0.35, 0.7),
    finH,
    finChord * rng.uniform(0.3, 0.7),
    0,
    finChord * 0.1,
  );
  const stab = panel(stabChord, stabChord * 0.5, stabSpan, stabChord * 0.4, stabSpan * 0.05, stabChord * 0.1);
  if (tail === 'v') {
    for (const sx of [-1, 1]) b.add(fin, mul(T(0, tailUp, zt), Rz(Math.PI / 2 - sx * 0.6)));
  } else if (tail === 'twin') {
    for (const sx of [-1, 1]) b.add(fin, mul(T(sx * R * 0.8, tailUp, zt), Rz(Math.PI / 2 - sx * 0.25)));
    b.addMirrorX(stab, T(0, tailUp * 0.5, zt));
  } else {
    b.add(fin, mul(T(0, tailUp, zt), Rz(Math.PI / 2)));
    b.addMirrorX(
      stab,
      tail === 't' ? T(0, tailUp + finH * 0.95, zt - finChord * 0.35) : T(0, tailUp * 0.7, zt),
    );
  }
}
