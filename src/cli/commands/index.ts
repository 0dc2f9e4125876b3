import type { Command } from '../command';
import { bench } from './bench';
import { info } from './info';

/** Every subcommand, in the order `crosspoint --help` lists them. */
export const COMMANDS: Command[] = [info as unknown as Command, bench as unknown as Command];
