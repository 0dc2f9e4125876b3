import type { FlagSpecs, Parsed } from './args';

/** Where a command writes. Tests pass buffers; the real CLI passes process streams. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

/** One `crosspoint <name>` subcommand. Add a file under commands/ and list it in commands/index.ts. */
export interface Command<S extends FlagSpecs = FlagSpecs> {
  name: string;
  summary: string;
  /** Positional arguments in the usage line, e.g. "FILE". */
  positionals?: string;
  maxPositionals?: number;
  flags: S;
  run(args: Parsed<S>, io: CliIO): Promise<number | undefined>;
}

/** Identity helper so each command's flags are typed from its own spec. */
export function defineCommand<S extends FlagSpecs>(c: Command<S>): Command<S> {
  return c;
}
