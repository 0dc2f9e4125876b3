// Builds the CLI bundle once before the tests that spawn `crosspoint`, so they never race to build it.
export default async function setup(): Promise<void> {
  // @ts-expect-error plain ESM helper without types
  const { buildCli, cliIsStale } = await import('../bin/build-cli.mjs');
  if (cliIsStale()) await buildCli();
}
