// The embedded broker: aedes in this process, on a loopback TCP port, for when no broker URL is
// given (a single robot, a bench, tests). aedes 1.x is ESM-only with a named export and an async
// factory (shared/research/ecosystem.md §4); it is imported only when asked for.

import type { AddressInfo, Server } from 'node:net';
import { LnnError } from '../../errors.ts';

export interface EmbeddedBroker {
  /** `mqtt://127.0.0.1:<port>`, the port the OS gave when 0 was asked for. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(host: string, port: number): Promise<EmbeddedBroker> {
  const [{ Aedes }, net] = await Promise.all([import('aedes'), import('node:net')]);
  const aedes = await Aedes.createBroker();
  // No Nagle on the broker's side either: it forwards whole messages and waits for nothing.
  const server: Server = net.createServer((socket) => {
    socket.setNoDelay(true);
    aedes.handle(socket);
  });
  // A client's broken socket is the client's problem, never the robot's.
  aedes.on('clientError', () => undefined);
  aedes.on('connectionError', () => undefined);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => { server.off('error', reject); resolve(); });
    });
  } catch (e) {
    await new Promise<void>((r) => aedes.close(() => r()));
    throw new LnnError('LNN_E_USAGE', `embedded MQTT broker cannot listen on ${host}:${port}: ${(e as Error).message}`, { field: 'mqtt.port' });
  }
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | null = null;
  return {
    url: `mqtt://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    port: bound,
    close(): Promise<void> {
      closing ??= (async () => {
        // aedes.close ends every client connection; the server then has none left to wait for.
        await new Promise<void>((r) => aedes.close(() => r()));
        await new Promise<void>((r) => server.close(() => r()));
      })();
      return closing;
    },
  };
}
