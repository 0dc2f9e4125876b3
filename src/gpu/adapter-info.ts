import { type EngineLimits, pickLimits } from './limits';

/** What we report about an adapter: plain data, safe to post between threads or print as JSON. */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  features: string[];
  limits: EngineLimits;
}

export function summariseAdapter(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info;
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    // `isFallbackAdapter` moved from GPUAdapter to GPUAdapterInfo; read whichever exists.
    isFallbackAdapter: Boolean(
      (info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter ??
        (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter,
    ),
    features: [...adapter.features].map(String).sort(),
    limits: pickLimits(adapter.limits),
  };
}

/** A short human name, e.g. "google swiftshader (SwiftShader driver 5.0.0)". */
export function adapterName(a: AdapterSummary): string {
  const main = [a.vendor, a.architecture, a.device].filter(Boolean).join(' ') || 'unknown adapter';
  return a.description && !main.includes(a.description) ? `${main} (${a.description})` : main;
}
