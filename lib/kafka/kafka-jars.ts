import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Pinned Apache Kafka release; kafkajs 2.2.4 works against it (see README). */
export const KAFKA_VERSION = '4.3.1';
const LOG4J_VERSION = '2.25.4';

export function cacheRoot(): string {
  return process.env.XHUB_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'exchange-hub');
}

// A tiny POM lets Maven resolve the broker and all its runtime dependencies
// from Maven Central; the log4j binding gives the broker a log file.
const pom = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>exchange-hub</groupId><artifactId>kafka-runtime</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${KAFKA_VERSION}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>${LOG4J_VERSION}</version></dependency>
  </dependencies>
</project>
`;

/**
 * Returns the folder holding the Kafka broker's jars, fetching them with Maven
 * the first time. The folder is only marked complete after a full copy, so an
 * interrupted fetch is redone rather than half-used.
 */
export async function ensureKafkaJars(onProgress: (line: string) => void = () => {}): Promise<string> {
  const home = join(cacheRoot(), `kafka-${KAFKA_VERSION}`);
  const libs = join(home, 'libs');
  const marker = join(home, '.complete');
  if (existsSync(marker)) return libs;
  await mkdir(home, { recursive: true });
  await writeFile(join(home, 'pom.xml'), pom);
  onProgress(`fetching Apache Kafka ${KAFKA_VERSION} jars from Maven Central into ${libs}`);
  // Fetch into a private folder and rename it into place, so two processes
  // fetching at once never see each other's half-copied folder.
  const staging = join(home, `libs.${process.pid}`);
  const args = ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`, '-DincludeScope=runtime'];
  await run('mvn', args, home);
  if (existsSync(marker)) {
    await rm(staging, { recursive: true, force: true });
    return libs;
  }
  await rm(libs, { recursive: true, force: true });
  await rename(staging, libs);
  await writeFile(marker, new Date().toISOString());
  return libs;
}

/** Runs a tool to completion; rejects with the tail of its output, or with `hint` when it cannot start. */
export function run(command: string, args: string[], cwd: string, hint = 'is it installed?'): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (error) => reject(new Error(`cannot run ${command}: ${error.message} (${hint})`)));
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${output.slice(-2000)}`)),
    );
  });
}
