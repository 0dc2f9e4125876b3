// Checks the two system packages the tests need (Chromium, which also ships the SwiftShader
// Vulkan driver, and the Vulkan loader libvulkan1). As root on Debian it installs them; otherwise
// it says exactly what to run.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export function missingSystemDeps() {
  const missing = [];
  if (!existsSync('/usr/bin/chromium') || !existsSync('/usr/lib/chromium/vk_swiftshader_icd.json')) {
    missing.push('chromium');
  }
  let hasVulkan = false;
  try {
    hasVulkan = /libvulkan\.so\.1/.test(execSync('ldconfig -p', { encoding: 'utf8' }));
  } catch {
    hasVulkan = false;
  }
  if (!hasVulkan) missing.push('libvulkan1');
  return missing;
}

export function ensureSystemDeps() {
  const missing = missingSystemDeps();
  if (missing.length === 0) return true;
  const cmd = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.log(`installing system packages: ${missing.join(', ')}`);
    const r = spawnSync(
      'sh',
      [
        '-c',
        `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`,
      ],
      {
        stdio: 'inherit',
      },
    );
    return r.status === 0;
  }
  console.error(`missing system packages: ${missing.join(', ')}. Install them with: sudo ${cmd}`);
  return false;
}
