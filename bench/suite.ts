import type { GpuContext } from '../src/gpu/context';
import type { BenchReport } from './report';

/** A suite, or a section of one: measures some cases on the device and adds them to the report. */
export type BenchSuite = (ctx: GpuContext, report: BenchReport) => Promise<void>;
