import type { Command } from '../command';
import { bench } from './bench';
import { fewshotFeatures } from './fewshot-features';
import { info } from './info';
import { inspect } from './inspect';
import { sample } from './sample';
import { svm } from './svm';

/** Every subcommand, in the order `crosspoint --help` lists them. */
export const COMMANDS: Command[] = [
  info as unknown as Command,
  sample as unknown as Command,
  inspect as unknown as Command,
  svm as unknown as Command,
  fewshotFeatures as unknown as Command,
  bench as unknown as Command,
];
