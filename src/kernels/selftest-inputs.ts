import { Rng } from '../util/random';

/** Inputs of the kernel self-test, reproducible from the seed (the e2e test recomputes them). */
export function selfTestInputs(n: number, seed: number) {
  const rng = new Rng(seed);
  return { x: rng.uniformArray(n), y: rng.uniformArray(n), alpha: 1.5 };
}
