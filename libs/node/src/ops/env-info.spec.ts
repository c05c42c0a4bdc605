import * as os from 'node:os';
import { collectEnvInfo } from './env-info';

describe('collectEnvInfo', () => {
  it('describes this process in the shape envi needs', () => {
    const env = collectEnvInfo();
    expect(env.runtimeVersion).toBe(process.versions.node);
    expect(env.hostName).toBe(os.hostname());
    expect(env.userDir).toBe(process.cwd());
    expect(env.osName).toBe(os.type());
    // The JVM's spelling of the architecture.
    expect(env.osArch).toBe(({ x64: 'amd64', arm64: 'aarch64' } as Record<string, string>)[os.arch()] ?? os.arch());
    expect(env.memoryTotalBytes).toBeGreaterThan(0);
    expect(env.memoryMaxBytes).toBeGreaterThanOrEqual(env.memoryTotalBytes);
    expect(env.memoryFreeBytes).toBeLessThanOrEqual(env.memoryTotalBytes);
  });

  // Development and CI run on Linux, where /proc has the figures.
  it('counts open file descriptors from /proc', () => {
    const env = collectEnvInfo();
    expect(env.openFileDescriptorCount).toBeGreaterThan(2);
    expect(env.maxFileDescriptorCount).toBeGreaterThanOrEqual(env.openFileDescriptorCount!);
  });
});
