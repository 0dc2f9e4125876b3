#!/usr/bin/env node
// The `crosspoint` command. The CLI is TypeScript + WGSL bundled by Vite; the bundle is rebuilt
// here on first use and whenever the sources are newer, so `npx crosspoint` always runs the tree as it is.
import { pathToFileURL } from 'node:url';
import { buildCli, bundle, cliIsStale } from './build-cli.mjs';

if (cliIsStale()) await buildCli();
const { main } = await import(pathToFileURL(bundle).href);
await main();
