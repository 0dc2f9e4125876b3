import type { Command } from '../command';
import { info } from './info';
import { sample } from './sample';

/** Every subcommand, in the order `crosspoint --help` lists them. */
export const COMMANDS: Command[] = [info as unknown as Command, sample as unknown as Command];
