import type { HubFixture } from './hub-fixture.ts';

/** grpc.health.v1 Check of the exchange service, over the FPO client certificate, with a short deadline. */
export async function healthOf(hub: HubFixture, port: number): Promise<string> {
  const grpc = await import('@grpc/grpc-js');
  const { protoPath } = await import('grpc-health-check');
  const protoLoader = await import('@grpc/proto-loader');
  const def = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath, { enums: String })) as unknown as {
    grpc: { health: { v1: { Health: typeof grpc.Client } } };
  };
  const health = new def.grpc.health.v1.Health(
    `127.0.0.1:${port}`,
    await hub.credentials('FPO'),
  ) as unknown as {
    check: (
      req: object,
      opts: { deadline: number },
      cb: (e: Error | null, r: { status: string }) => void,
    ) => void;
    close: () => void;
  };
  try {
    return await new Promise<string>((resolve, reject) =>
      health.check({ service: 'xhub.exchange.v1.Exchange' }, { deadline: Date.now() + 2_000 }, (e, r) =>
        e ? reject(e) : resolve(r.status),
      ),
    );
  } finally {
    health.close();
  }
}
