import { UsageError } from './errors';

/** How one flag is parsed. Flags are written --name value or --name=value; booleans take no value. */
export type FlagSpec =
  | { type: 'string'; default?: string; help: string; choices?: readonly string[] }
  | { type: 'int'; default?: number; help: string; min?: number }
  | { type: 'number'; default?: number; help: string }
  | { type: 'boolean'; help: string };

export type FlagSpecs = Record<string, FlagSpec>;

type ValueOf<S extends FlagSpec> = S extends { type: 'string' }
  ? string
  : S extends { type: 'boolean' }
    ? boolean
    : number;

export type ParsedFlags<S extends FlagSpecs> = { [K in keyof S]: ValueOf<S[K]> | undefined };

export interface Parsed<S extends FlagSpecs> {
  flags: ParsedFlags<S>;
  positionals: string[];
}

export function parseArgs<S extends FlagSpecs>(
  argv: readonly string[],
  specs: S,
  maxPositionals = 0,
): Parsed<S> {
  const flags: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.type !== 'boolean' && spec.default !== undefined) flags[name] = spec.default;
    if (spec.type === 'boolean') flags[name] = false;
  }
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown flag --${name}`);
    if (spec.type === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    const raw = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (raw === undefined || (eq < 0 && raw.startsWith('--')))
      throw new UsageError(`--${name} needs a value`);
    flags[name] = convert(name, spec, raw);
  }
  if (positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument "${positionals[maxPositionals]}"`);
  }
  return { flags: flags as ParsedFlags<S>, positionals };
}

function convert(name: string, spec: FlagSpec, raw: string): string | number {
  switch (spec.type) {
    case 'string':
      if (spec.choices && !spec.choices.includes(raw)) {
        throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')} (got "${raw}")`);
      }
      return raw;
    case 'int': {
      if (!/^-?\d+$/.test(raw)) throw new UsageError(`--${name} needs an integer (got "${raw}")`);
      const v = Number(raw);
      if (spec.min !== undefined && v < spec.min)
        throw new UsageError(`--${name} must be at least ${spec.min}`);
      return v;
    }
    case 'number': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v))
        throw new UsageError(`--${name} needs a number (got "${raw}")`);
      return v;
    }
    default:
      throw new UsageError(`--${name}: bad flag type`);
  }
}

/** Usage lines for a set of flags. */
export function describeFlags(specs: FlagSpecs): string {
  return Object.entries(specs)
    .map(([name, s]) => {
      const val =
        s.type === 'boolean'
          ? ''
          : s.type === 'string'
            ? s.choices
              ? ` ${s.choices.join('|')}`
              : ' VALUE'
            : ' N';
      const def = s.type !== 'boolean' && s.default !== undefined ? ` (default ${s.default})` : '';
      return `    --${name}${val}`.padEnd(30) + `${s.help}${def}`;
    })
    .join('\n');
}
