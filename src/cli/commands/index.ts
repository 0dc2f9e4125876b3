import type { Command } from '../command';
import { info } from './info';
import { inspect } from './inspect';

/** Every subcommand, in the order `crosspoint --help` lists them. */
export const COMMANDS: Command[] = [info as unknown as Command, inspect as unknown as Command];
