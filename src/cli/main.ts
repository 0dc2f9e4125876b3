import { describeFlags, parseArgs } from './args';
import type { CliIO, Command } from './command';
import { COMMANDS } from './commands/index';
import { InputError, UsageError } from './errors';

export function usage(commands: readonly Command[] = COMMANDS): string {
  const lines = commands.map((c) => `  ${c.name.padEnd(18)} ${c.summary}`);
  return [
    'usage: crosspoint <command> [flags]',
    '',
    'commands:',
    ...lines,
    '',
    'crosspoint <command> --help for its flags',
  ].join('\n');
}

function commandUsage(c: Command): string {
  const pos = c.positionals ? ` ${c.positionals}` : '';
  const flags = describeFlags(c.flags);
  return `usage: crosspoint ${c.name}${pos} [flags]\n  ${c.summary}${flags ? `\n${flags}` : ''}`;
}

/** Runs the command line; returns the exit code (0 ok, 1 failure, 2 usage or input error). */
export async function runCli(argv: readonly string[], io: CliIO, commands: readonly Command[] = COMMANDS) {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? io.out : io.err)(`${usage(commands)}\n`);
    return name ? 0 : 2;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    io.err(`crosspoint: unknown command "${name}"\n${usage(commands)}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${commandUsage(cmd)}\n`);
    return 0;
  }
  try {
    const parsed = parseArgs(rest, cmd.flags, cmd.maxPositionals ?? 0);
    return (await cmd.run(parsed, io)) ?? 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`crosspoint ${name}: ${e.message}\n${commandUsage(cmd)}\n`);
      return 2;
    }
    if (e instanceof InputError) {
      io.err(`crosspoint ${name}: ${e.message}\n`);
      return 2;
    }
    const err = e as Error;
    io.err(`crosspoint ${name}: ${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}\n`);
    if (process.env.CROSSPOINT_DEBUG) io.err(`${err.stack}\n`);
    return 1;
  }
}

/** Entry point of the bundled CLI (bin/crosspoint.mjs imports this file's build). */
export async function main(): Promise<void> {
  const io: CliIO = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
  const code = await runCli(process.argv.slice(2), io);
  process.exitCode = code;
}
