import type { Command } from '../command';
import { bench } from './bench';
import { compareInitCommand } from './compare-init';
import { classify } from './classify';
import { encode } from './encode';
import { evalSvm } from './eval-svm';
import { fewshot } from './fewshot';
import { exportOnnx } from './export-onnx';
import { fewshotFeatures } from './fewshot-features';
import { grad } from './grad';
import { info } from './info';
import { inspect } from './inspect';
import { partseg } from './partseg';
import { partsegEval } from './partseg-eval';
import { plan } from './plan';
import { pretrain } from './pretrain';
import { sample } from './sample';
import { svm } from './svm';

/** Every subcommand, in the order `crosspoint --help` lists them. */
export const COMMANDS: Command[] = [
  info as unknown as Command,
  sample as unknown as Command,
  inspect as unknown as Command,
  encode as unknown as Command,
  grad as unknown as Command,
  plan as unknown as Command,
  pretrain as unknown as Command,
  svm as unknown as Command,
  fewshotFeatures as unknown as Command,
  evalSvm as unknown as Command,
  fewshot as unknown as Command,
  compareInitCommand as unknown as Command,
  partseg as unknown as Command,
  partsegEval as unknown as Command,
  classify as unknown as Command,
  exportOnnx as unknown as Command,
  bench as unknown as Command,
];
