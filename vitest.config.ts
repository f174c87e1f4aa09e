import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-kafka.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    env: { XHUB_LOG_LEVEL: process.env.XHUB_LOG_LEVEL ?? 'silent', KAFKAJS_NO_PARTITIONER_WARNING: '1' },
  },
});
